SELECT d.seq, d.project, NULL AS expected, d.stage AS actual
FROM {batch} d
JOIN projects p ON p.project = d.project
WHERE NOT EXISTS (SELECT 1 FROM policy_terms t
                  WHERE t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                    AND t.term = 'stage' AND t.subject = d.stage)
