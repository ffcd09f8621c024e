SELECT p.project, p.fund, p.year, p.policy AS expected, NULL AS actual
FROM {batch} p
WHERE NOT EXISTS (SELECT 1 FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
