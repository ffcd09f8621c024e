SELECT p.project, p.enterprise, p.year, p.clause, t.value AS expected, NULL AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'once_in' AND t.subject = p.clause
WHERE p.status = 'approved'
  AND EXISTS (SELECT 1 FROM projects q
              WHERE q.status = 'approved' AND q.enterprise = p.enterprise AND q.policy = p.policy
                AND q.clause = p.clause AND q.year > p.year - t.value
                AND (q.year < p.year OR (q.year = p.year AND q.apply_seq < p.apply_seq)))
