SELECT m.seq, m.project, NULL AS expected, m.amount_fen AS actual
FROM {batch} m
JOIN projects p ON p.project = m.project
WHERE m.kind = 'pay' AND p.status IN ('rejected', 'withdrawn')
  AND m.seq NOT IN (SELECT target_seq FROM reversals)
