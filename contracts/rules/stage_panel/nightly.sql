SELECT d.seq, d.project, t.value AS expected, d.panel_size AS actual
FROM {batch} d
JOIN projects p ON p.project = d.project
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'panel_min' AND t.subject = d.stage
JOIN policy_terms o ON o.policy = t.policy AND o.version = t.version AND o.term = 'panel_odd' AND o.subject = d.stage
WHERE d.panel_size IS NULL OR d.panel_size < t.value OR (o.value = 1 AND d.panel_size % 2 = 0)
