SELECT p.enterprise, p.year, p.policy, t.value AS expected, count(DISTINCT p.clause) AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'max_types' AND t.subject = ''
WHERE p.status = 'approved'
GROUP BY p.enterprise, p.year, p.policy, t.value
HAVING count(DISTINCT p.clause) > t.value
