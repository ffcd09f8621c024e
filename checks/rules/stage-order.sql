-- rule: STAGE-ORDER
-- table: decisions
-- what: a stage decided twice, after a rejection, before a stage it follows, or with an earlier required stage undecided
SELECT d.seq, d.project, NULL AS expected, d.stage AS actual
FROM {batch} d
JOIN projects p ON p.project = d.project
LEFT JOIN policy_terms s ON s.policy = p.policy AND s.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
                        AND s.term = 'stage' AND s.subject = d.stage
WHERE EXISTS (SELECT 1 FROM decisions e WHERE e.project = d.project AND e.seq < d.seq
                AND (e.stage = d.stage OR e.outcome = 'reject'))
   OR EXISTS (SELECT 1 FROM decisions e
              JOIN policy_terms es ON es.policy = s.policy AND es.version = s.version AND es.term = 'stage'
                                  AND es.subject = e.stage
              WHERE e.project = d.project AND e.seq < d.seq AND es.value > s.value)
   OR EXISTS (SELECT 1 FROM policy_terms r
              JOIN policy_terms rs ON rs.policy = r.policy AND rs.version = r.version AND rs.term = 'stage'
                                  AND rs.subject = r.subject
              WHERE r.policy = s.policy AND r.version = s.version AND r.term = 'required' AND r.value = 1
                AND rs.value < s.value
                AND NOT EXISTS (SELECT 1 FROM decisions e WHERE e.project = d.project AND e.seq < d.seq
                                  AND e.stage = r.subject))
