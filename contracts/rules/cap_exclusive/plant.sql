-- finds: {"clause": "ex2", "enterprise": "91110105MA00000025", "project": "D2", "year": 2023}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'D2', enterprise, fund, year, 'ex2', 'test-policy:ex2', policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'D';
