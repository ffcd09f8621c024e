-- finds: {"fund": "test-fund", "year": 2023}
UPDATE funds SET budget_fen = 100000000 WHERE fund = 'test-fund';
