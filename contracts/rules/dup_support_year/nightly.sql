SELECT p.project, p.enterprise, p.fund, p.year, 1 AS expected, NULL AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'one_award' AND t.subject = ''
WHERE p.status = 'approved'
  AND EXISTS (SELECT 1 FROM projects q
              WHERE q.status = 'approved' AND q.enterprise = p.enterprise AND q.year = p.year AND q.project <> p.project)
  AND NOT EXISTS (SELECT 1 FROM projects q
                  WHERE q.status = 'approved' AND q.enterprise = p.enterprise AND q.year = p.year
                    AND q.content = p.content AND q.fund <> p.fund)
