-- finds: {"fund": "test-fund", "project": "B", "year": 2023}
UPDATE projects SET policy = 'ghost' WHERE project = 'B';
