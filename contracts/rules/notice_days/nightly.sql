SELECT n.notice, n.fund, n.year, max(t.value) AS expected, n.working_days AS actual
FROM {batch} n
JOIN projects p ON p.notice = n.notice
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'notice_days' AND t.subject = ''
GROUP BY n.notice, n.fund, n.year, n.working_days
HAVING max(t.value) > n.working_days
