-- finds: {"enterprise": "91110105MA00000012", "fund": "test-fund", "project": "A", "year": 2023}
UPDATE projects SET fund = 'other-fund', content = 'test-policy:abs' WHERE project = 'C';
