-- finds: {"project": "H"}
UPDATE decisions SET amount_after_fen = amount_after_fen - 100 WHERE outcome = 'halve';
