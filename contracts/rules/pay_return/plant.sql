-- finds: {"fund": "test-fund", "project": "A", "year": 2023}
INSERT INTO payments (seq, project, kind, amount_fen, date) VALUES (99990, 'A', 'return', 60000000, '2023-10-10');
