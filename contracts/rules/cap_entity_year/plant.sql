-- finds: {"clause": "yearcap", "enterprise": "91110105MA00000025", "policy": "test-policy", "year": 2023}
UPDATE projects SET clause = 'yearcap', approved_fen = 90000000, amount_fen = 90000000 WHERE project = 'D';
