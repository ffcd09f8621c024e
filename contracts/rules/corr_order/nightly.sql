WITH undone AS (
    SELECT c.seq, c.target_seq, e.kind, r.project
    FROM {batch} c
    JOIN entries e ON e.seq = c.target_seq
    JOIN entry_refs r ON r.seq = c.target_seq
    WHERE r.project IS NOT NULL AND e.kind IN ('review.decide', 'approval.resolve', 'project.apply')
)
SELECT u.seq, u.project, NULL AS expected, u.target_seq AS actual
FROM undone u
WHERE (u.kind = 'review.decide'
       AND EXISTS (SELECT 1 FROM decisions d WHERE d.project = u.project AND d.seq > u.target_seq AND d.seq < u.seq))
   OR (u.kind IN ('review.decide', 'project.apply')
       AND EXISTS (SELECT 1 FROM resolutions a WHERE a.project = u.project AND a.seq < u.seq
                     AND NOT EXISTS (SELECT 1 FROM reversals x WHERE x.target_seq = a.seq AND x.seq < u.seq)))
   OR (u.kind = 'approval.resolve'
       AND EXISTS (SELECT 1 FROM resolutions a WHERE a.project = u.project AND a.seq > u.target_seq AND a.seq < u.seq
                     AND NOT EXISTS (SELECT 1 FROM reversals x WHERE x.target_seq = a.seq AND x.seq < u.seq)))
   OR (u.kind = 'approval.resolve'
       AND EXISTS (SELECT 1 FROM projects p JOIN notices n ON n.notice = p.notice
                   WHERE p.project = u.project AND n.open_seq < u.seq))
   OR (u.kind IN ('approval.resolve', 'project.apply')
       AND EXISTS (SELECT 1 FROM payments m WHERE m.project = u.project AND m.kind = 'pay' AND m.seq < u.seq
                     AND NOT EXISTS (SELECT 1 FROM reversals x WHERE x.target_seq = m.seq AND x.seq < u.seq)))
