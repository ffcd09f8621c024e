-- finds: {"project": "ghost", "seq": 99992}
INSERT INTO decisions (seq, project, stage, outcome, reason, amount_before_fen, amount_after_fen, date, panel_size) VALUES (99992, 'ghost', 'initial', 'pass', NULL, 0, 0, '2023-08-01', NULL);
