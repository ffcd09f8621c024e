SELECT p.project, p.fund, p.year, p.clause, min(t.value) AS expected, p.requested_fen AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND ((t.term = 'cap_absolute' AND t.subject = p.clause) OR (t.term = 'project_cap' AND t.subject = ''))
GROUP BY p.project, p.fund, p.year, p.clause, p.requested_fen
HAVING p.requested_fen > min(t.value)
