-- finds: {"clause": "ratio", "project": "NB"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'NB', enterprise, fund, year, 'ratio', 'test-policy:ratio', policy, tags, bases, requested_fen, 10000000, status, stages, approvals, 10000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('NB', 'key');
