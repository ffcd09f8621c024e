SELECT p.enterprise, p.year, p.policy, p.clause, t.value AS expected, sum(p.approved_fen) AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'entity_year' AND t.subject = p.clause
WHERE p.status = 'approved'
GROUP BY p.enterprise, p.year, p.policy, p.clause, t.value
HAVING sum(p.approved_fen) > t.value
