-- finds: {"fund": "test-fund", "project": "B", "year": 2023}
UPDATE projects SET approved_fen = amount_fen + 1 WHERE project = 'B';
