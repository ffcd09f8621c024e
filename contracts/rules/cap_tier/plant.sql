-- finds: {"clause": "tier", "project": "TR"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'TR', enterprise, fund, year, 'tier', 'test-policy:tier', policy, tags, bases, requested_fen, 25000000, status, stages, approvals, 25000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('TR', 'key');
INSERT INTO project_bases (project, base, value) VALUES ('TR', 'inc', 200000000);
