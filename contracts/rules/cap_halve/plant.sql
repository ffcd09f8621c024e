-- finds: {"clause": "abs", "project": "A"}
DELETE FROM project_tags WHERE project = 'A';
UPDATE projects SET approved_fen = 60000000, amount_fen = 60000000 WHERE project = 'A';
