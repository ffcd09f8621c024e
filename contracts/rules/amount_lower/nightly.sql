SELECT d.seq, d.project, d.amount_before_fen AS expected, d.amount_after_fen AS actual
FROM {batch} d
WHERE (d.outcome = 'pass' AND d.amount_after_fen <> d.amount_before_fen)
   OR (d.outcome = 'reject' AND d.amount_after_fen <> 0)
   OR (d.outcome IN ('reduce', 'halve', 'downgrade') AND d.amount_after_fen >= d.amount_before_fen)
