-- finds: {"clause": "abs", "fund": "test-fund", "project": "A", "year": 2023}
UPDATE projects SET requested_fen = 150000000 WHERE project = 'A';
