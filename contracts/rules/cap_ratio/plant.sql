-- finds: {"clause": "ratio", "project": "RT"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'RT', enterprise, fund, year, 'ratio', 'test-policy:ratio', policy, tags, bases, requested_fen, 30000000, status, stages, approvals, 30000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('RT', 'key');
INSERT INTO project_bases (project, base, value) VALUES ('RT', 'rd', 100000000);
