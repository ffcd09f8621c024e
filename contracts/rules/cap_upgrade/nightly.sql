WITH pv AS (
    SELECT p.project, p.enterprise, p.policy, p.clause, p.year, p.approved_fen,
           (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
           AS version
    FROM {batch} p
    WHERE p.status = 'approved'
), halving AS (
    SELECT pv.project, min(c.fen) / 2 AS fen
    FROM pv
    JOIN project_caps c ON c.project = pv.project
    JOIN policy_terms h ON h.policy = pv.policy AND h.version = pv.version AND h.term = 'halve' AND h.subject = ''
    WHERE c.fen IS NOT NULL AND c.rule IN ('CAP-ABSOLUTE', 'CAP-TIER', 'CAP-RATIO', 'CAP-PER-UNIT')
      AND NOT EXISTS (SELECT 1 FROM project_tags g JOIN policy_terms k ON k.policy = h.policy AND k.version = h.version
                                                                       AND k.term = 'key_tag' AND k.subject = g.tag
                      WHERE g.project = pv.project)
    GROUP BY pv.project
), binding AS (
    SELECT project, min(fen) AS fen
    FROM (SELECT project, fen FROM project_caps WHERE fen IS NOT NULL
          UNION ALL SELECT project, fen FROM halving) AS every_cap
    GROUP BY project
), upgrades AS (
    SELECT pv.project, pv.approved_fen, b.fen AS cap,
           (SELECT COALESCE(sum(q.approved_fen), 0) FROM projects q
            JOIN policy_terms ql ON ql.policy = pv.policy AND ql.version = pv.version AND ql.term = 'upgrade'
                                AND ql.subject = q.clause AND ql.value = g.value
            JOIN policy_terms qp ON qp.policy = pv.policy AND qp.version = pv.version AND qp.term = 'upgrade_pos'
                                AND qp.subject = q.clause AND qp.value < gp.value
            WHERE q.status = 'approved' AND q.enterprise = pv.enterprise AND q.policy = pv.policy
              AND q.project <> pv.project AND q.year <= pv.year) AS paid
    FROM pv
    JOIN policy_terms g ON g.policy = pv.policy AND g.version = pv.version AND g.term = 'upgrade' AND g.subject = pv.clause
    JOIN policy_terms gp ON gp.policy = pv.policy AND gp.version = pv.version AND gp.term = 'upgrade_pos'
                        AND gp.subject = pv.clause
    JOIN binding b ON b.project = pv.project
)
SELECT u.project, u.cap - u.paid AS expected, u.approved_fen AS actual
FROM upgrades u
WHERE u.paid > 0 AND u.approved_fen > u.cap - u.paid
