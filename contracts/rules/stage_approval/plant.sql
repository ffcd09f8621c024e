-- finds: {"fund": "test-fund", "project": "B", "year": 2023}
DELETE FROM decisions WHERE project = 'B' AND stage = 'expert';
