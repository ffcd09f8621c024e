-- finds: {"fund": "test-fund", "project": "A", "year": 2023}
UPDATE projects SET approved_fen = 40000000 WHERE project = 'A';
