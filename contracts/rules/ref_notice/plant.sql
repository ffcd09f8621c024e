-- finds: {"fund": "test-fund", "project": "B", "year": 2023}
UPDATE projects SET notice = 'ghost' WHERE project = 'B';
