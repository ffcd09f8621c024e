-- The caps a clause's shapes put on each project's award, computed from its bases: one row per
-- (project, rule), fen NULL where the base a cap needs is missing (CAP-BASE). The policy version
-- is the one in force on 31 December of the project's year. The same caps as clause_caps in
-- __init__.py (write time) and project_caps in frames.py (pandera); checks/sqlrules.py puts this
-- query in front of every nightly rule that reads project_caps.
WITH pv AS (
    SELECT p.project, p.policy, p.clause,
           (SELECT max(v.version) FROM policies v WHERE v.policy = p.policy AND v.effective_from <= p.year || '-12-31')
           AS version
    FROM projects p
), shaped AS (
    SELECT pv.project, c.policy, c.version, c.clause, c.idx, c.shape, c.max_fen, c.min_base_fen, c.rate_num, c.rate_den,
           c.unit_fen, c.award_fen, b.value AS base
    FROM pv
    JOIN policy_caps c ON c.policy = pv.policy AND c.version = pv.version AND c.clause = pv.clause
    LEFT JOIN project_bases b ON b.project = pv.project AND b.base = c.base
), computed AS (
    SELECT project, shape, max_fen,
           CASE WHEN base IS NULL THEN NULL
                WHEN shape IN ('ratio', 'revenue_share') AND base < COALESCE(min_base_fen, 0) THEN 0
                WHEN shape IN ('ratio', 'revenue_share') THEN base * rate_num / rate_den
                WHEN shape = 'per_unit' THEN (base / unit_fen) * award_fen
                ELSE COALESCE((SELECT CASE WHEN t.rate_den IS NULL THEN t.award_fen ELSE shaped.base * t.rate_num / t.rate_den END
                               FROM policy_tiers t
                               WHERE t.policy = shaped.policy AND t.version = shaped.version AND t.clause = shaped.clause
                                 AND t.idx = shaped.idx AND t.min_value <= shaped.base
                               ORDER BY t.min_value DESC, t.tier LIMIT 1), 0)
           END AS fen
    FROM shaped
)
SELECT project,
       CASE shape WHEN 'ratio' THEN 'CAP-RATIO' WHEN 'revenue_share' THEN 'CAP-REVENUE-SHARE'
                  WHEN 'per_unit' THEN 'CAP-PER-UNIT' ELSE 'CAP-TIER' END AS rule,
       CASE WHEN fen IS NOT NULL AND max_fen IS NOT NULL AND max_fen < fen THEN max_fen ELSE fen END AS fen
FROM computed
UNION ALL
SELECT pv.project, CASE t.term WHEN 'cap_absolute' THEN 'CAP-ABSOLUTE' ELSE 'CAP-PROJECT' END, t.value
FROM pv
JOIN policy_terms t ON t.policy = pv.policy AND t.version = pv.version
                   AND ((t.term = 'cap_absolute' AND t.subject = pv.clause) OR (t.term = 'project_cap' AND t.subject = ''))
