-- finds: {"project": "A"}
UPDATE decisions SET amount_after_fen = amount_before_fen + 1 WHERE project = 'A' AND stage = 'initial';
