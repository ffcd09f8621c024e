-- finds: {"project": "R", "seq": 99991}
INSERT INTO payments (seq, project, kind, amount_fen, date) VALUES (99991, 'R', 'pay', 10000000, '2023-10-10');
