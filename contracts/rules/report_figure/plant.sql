-- finds: {"figure": "test-fund/2023/nonsense", "seq": 99997}
INSERT INTO reported (seq, figure, value, tolerance, seed, fund, year, metric, qualifier) VALUES (99997, 'test-fund/2023/nonsense', 1, 0, 'a report', 'test-fund', 2023, 'nonsense', NULL);
