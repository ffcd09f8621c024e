SELECT p.project, p.enterprise, p.year, p.clause, NULL AS expected, NULL AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'exclusive' AND t.subject = p.clause
JOIN policy_terms g ON g.policy = t.policy AND g.version = t.version AND g.term = 'excl_years'
                   AND g.subject = '' || t.value
WHERE p.status = 'approved'
  AND EXISTS (SELECT 1 FROM projects q
              JOIN policy_terms u ON u.policy = t.policy AND u.version = t.version AND u.term = 'exclusive'
                                 AND u.subject = q.clause AND u.value = t.value
              WHERE q.status = 'approved' AND q.enterprise = p.enterprise AND q.policy = p.policy
                AND q.clause <> p.clause AND q.year > p.year - g.value
                AND (q.year < p.year OR (q.year = p.year AND q.apply_seq < p.apply_seq)))
