SELECT m.seq, m.project, n.end_date AS expected, m.date AS actual
FROM {batch} m
JOIN projects p ON p.project = m.project
LEFT JOIN notices n ON n.notice = p.notice
WHERE m.kind = 'pay' AND p.status NOT IN ('rejected', 'withdrawn')
  AND m.seq NOT IN (SELECT target_seq FROM reversals)
  AND (p.status <> 'approved' OR n.notice IS NULL OR n.state = 'open' OR m.date < n.end_date)
