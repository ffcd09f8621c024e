-- finds: {"figure": "test-fund/2023/awards", "seq": 99996}
INSERT INTO reported (seq, figure, value, tolerance, seed, fund, year, metric, qualifier)
    SELECT 99996, figure, value + 100000, 0, 'another report', fund, year, metric, qualifier FROM reported WHERE figure = 'test-fund/2023/awards';
INSERT INTO reported_funds (seq, idx, fund) VALUES (99996, 0, 'test-fund');
