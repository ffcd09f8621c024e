SELECT p.project, p.fund, p.year, p.clause, NULL AS expected, p.clause AS actual
FROM {batch} p
WHERE EXISTS (SELECT 1 FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
  AND NOT EXISTS (SELECT 1 FROM policy_terms t
                  WHERE t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                    AND t.term = 'clause' AND t.subject = p.clause)
