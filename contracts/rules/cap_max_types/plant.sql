-- finds: {"enterprise": "91110105MA00000012", "policy": "test-policy", "year": 2023}
UPDATE projects SET enterprise = '91110105MA00000012' WHERE project = 'B';
