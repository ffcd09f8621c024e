SELECT CAST(NULL AS BIGINT) AS seq, p.project, CAST(NULL AS VARCHAR(64)) AS fund, CAST(NULL AS INTEGER) AS year, NULL AS expected, NULL AS actual
FROM {batch} p
WHERE p.requested_fen < 0 OR p.amount_fen < 0 OR p.approved_fen < 0 OR p.disbursed_fen < 0 OR p.returned_fen < 0
   OR p.status NOT IN ('applied', 'approving', 'approved', 'rejected', 'withdrawn', 'objection')
UNION ALL
SELECT d.seq, d.project, NULL AS fund, NULL AS year, NULL AS expected, NULL AS actual
FROM decisions d
WHERE d.amount_before_fen < 0 OR d.amount_after_fen < 0
   OR d.outcome NOT IN ('pass', 'reject', 'reduce', 'halve', 'downgrade')
UNION ALL
SELECT m.seq, m.project, NULL AS fund, NULL AS year, NULL AS expected, NULL AS actual
FROM payments m
WHERE (m.amount_fen <= 0 OR m.kind NOT IN ('pay', 'return'))
  AND m.seq NOT IN (SELECT target_seq FROM reversals)
UNION ALL
SELECT NULL AS seq, NULL AS project, f.fund, f.year, NULL AS expected, NULL AS actual
FROM funds f
WHERE f.budget_fen < 0 OR f.fees_fen < 0 OR f.other_fen < 0 OR f.transfer_in_fen < 0 OR f.transfer_out_fen < 0
