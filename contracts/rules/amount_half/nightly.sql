SELECT d.seq, d.project, d.amount_before_fen / 2 AS expected, d.amount_after_fen AS actual
FROM {batch} d
WHERE d.outcome = 'halve' AND d.amount_after_fen < d.amount_before_fen AND d.amount_after_fen <> d.amount_before_fen / 2
