SELECT p.project, p.fund, p.year, min(t.subject) AS expected, NULL AS actual
FROM {batch} p
JOIN policy_terms t ON t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                   AND t.term = 'required' AND t.value = 1
WHERE p.approvals > 0
  AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.project = p.project AND d.stage = t.subject AND d.outcome <> 'reject')
GROUP BY p.project, p.fund, p.year
