-- finds: {"fund": "test-fund", "indicator": 0, "year": 2023}
UPDATE indicators SET stated_e4 = CASE WHEN idx = 0 THEN 60000 ELSE stated_e4 END, total_stated_e4 = 185000;
