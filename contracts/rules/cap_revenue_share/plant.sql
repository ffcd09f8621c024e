-- finds: {"clause": "share", "project": "RS"}
INSERT INTO projects (project, enterprise, fund, year, clause, content, policy, tags, bases, requested_fen, amount_fen, status, stages, approvals, approved_fen, notice, disbursed_fen, returned_fen, apply_seq, enterprise_name)
    SELECT 'RS', enterprise, fund, year, 'share', 'test-policy:share', policy, tags, bases, requested_fen, 80000000, status, stages, approvals, 80000000, notice, 0, 0, apply_seq + 1000, enterprise_name FROM projects WHERE project = 'A';
INSERT INTO project_tags (project, tag) VALUES ('RS', 'key');
INSERT INTO project_bases (project, base, value) VALUES ('RS', 'rev', 100000000);
