SELECT a.seq, a.project, NULL AS expected, a.body AS actual
FROM {batch} a
JOIN projects p ON p.project = a.project
WHERE a.seq NOT IN (SELECT target_seq FROM reversals)
  AND NOT EXISTS (SELECT 1 FROM policy_terms t
                  WHERE t.policy = p.policy AND t.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                    AND t.term = 'approval' AND t.subject = a.body)
