SELECT d.seq, d.project, NULL AS expected, d.outcome AS actual
FROM {batch} d
WHERE d.outcome <> 'pass' AND (d.reason IS NULL OR d.reason = '')
