-- finds: {"seq": 99995}
INSERT INTO reversals (target_seq, seq) VALUES (2, 99995);
