-- finds: {"fund": "test-fund", "notice": "N1", "year": 2023}
UPDATE notices SET working_days = 3;
