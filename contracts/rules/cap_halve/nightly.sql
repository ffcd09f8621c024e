WITH standard AS (
    SELECT c.project, min(c.fen) AS fen
    FROM project_caps c
    WHERE c.fen IS NOT NULL AND c.rule IN ('CAP-ABSOLUTE', 'CAP-TIER', 'CAP-RATIO', 'CAP-PER-UNIT')
    GROUP BY c.project
)
SELECT p.project, p.fund, p.year, p.clause, s.fen / 2 AS expected, p.approved_fen AS actual
FROM {batch} p
JOIN standard s ON s.project = p.project
JOIN policy_terms h ON h.policy = p.policy AND h.term = 'halve' AND h.subject = ''
 AND h.version = (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
WHERE p.status = 'approved' AND p.approved_fen > s.fen / 2
  AND NOT EXISTS (SELECT 1 FROM project_tags g JOIN policy_terms k ON k.policy = h.policy AND k.version = h.version
                                                                   AND k.term = 'key_tag' AND k.subject = g.tag
                  WHERE g.project = p.project)
