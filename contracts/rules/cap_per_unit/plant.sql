-- finds: {"clause": "unit", "project": "PU"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'PU', enterprise, fund, year, 'unit', 'test-policy:unit', policy, tags, bases, requested_fen, 10000000, status, stages, approvals, 10000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('PU', 'key');
INSERT INTO project_bases (project, base, value) VALUES ('PU', 'growth', 300000000);
