-- finds: {"project": "A", "seq": 99993}
INSERT INTO decisions (seq, project, stage, outcome, reason, amount_before_fen, amount_after_fen, date, panel_size) VALUES (99993, 'A', 'initial', 'pass', NULL, 50000000, 50000000, '2023-08-02', NULL);
