SELECT d.seq, d.project, NULL AS expected, NULL AS actual
FROM {batch} d
WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.project = d.project)
UNION ALL
SELECT m.seq, m.project, NULL AS expected, NULL AS actual
FROM payments m
WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.project = m.project)
