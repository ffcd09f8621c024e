-- finds: {"project": "U2"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'U1', enterprise, fund, year, 'up1', 'test-policy:up1', policy, tags, bases, requested_fen, 150000000, status, stages, approvals, 150000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('U1', 'key');
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'U2', enterprise, fund, year, 'up2', 'test-policy:up2', policy, tags, bases, requested_fen, 400000000, status, stages, approvals, 400000000, notice, 0, 0, apply_seq + 2000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('U2', 'key');
