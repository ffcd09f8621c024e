SELECT p.project, p.fund, p.year, p.clause, t.value AS expected, p.approved_fen AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'cap_absolute' AND t.subject = p.clause
WHERE p.status = 'approved' AND p.approved_fen > t.value
