-- finds: {"project": "B", "seq": 99998}
INSERT INTO reversals (target_seq, seq)
    SELECT seq, 99998 FROM decisions WHERE project = 'B' AND stage = 'initial';
