-- finds: {"clause": "zz", "fund": "test-fund", "project": "B", "year": 2023}
UPDATE projects SET clause = 'zz' WHERE project = 'B';
