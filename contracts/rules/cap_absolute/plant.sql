-- finds: {"clause": "abs", "fund": "test-fund", "project": "A", "year": 2023}
UPDATE projects SET approved_fen = 120000000, amount_fen = 120000000 WHERE project = 'A';
