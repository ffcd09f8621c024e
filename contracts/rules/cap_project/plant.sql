-- finds: {"clause": "big", "fund": "test-fund", "project": "H", "year": 2023}
UPDATE projects SET approved_fen = 600000000, amount_fen = 600000000 WHERE project = 'H';
