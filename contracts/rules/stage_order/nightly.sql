WITH places AS (  -- each stage of each policy version: its place in the workflow, and the required stages before it
    SELECT s.policy, s.version, s.subject AS stage, s.value AS place,
           CASE WHEN q.value = 1 THEN 1 ELSE 0 END AS required,
           (SELECT count(*) FROM policy_terms r
            JOIN policy_terms rs ON rs.policy = r.policy AND rs.version = r.version AND rs.term = 'stage'
                                AND rs.subject = r.subject
            WHERE r.policy = s.policy AND r.version = s.version AND r.term = 'required' AND r.value = 1
              AND rs.value < s.value) AS required_before
    FROM policy_terms s
    LEFT JOIN policy_terms q ON q.policy = s.policy AND q.version = s.version AND q.term = 'required'
                            AND q.subject = s.subject
    WHERE s.term = 'stage'
), in_force AS (  -- the policy version in force in each year projects were applied for
    SELECT y.policy, y.year,
           (SELECT max(v.version) FROM policies v WHERE v.policy = y.policy AND v.effective_from <= y.year || '-12-31')
           AS version
    FROM (SELECT DISTINCT policy, year FROM projects) y
), placed AS (  -- each decision with its stage's place in the workflow of the project's policy version
    SELECT d.seq, d.project, d.stage, d.outcome, s.place, COALESCE(s.required, 0) AS required,
           COALESCE(s.required_before, 0) AS required_before
    FROM {batch} d
    JOIN projects p ON p.project = d.project
    LEFT JOIN in_force f ON f.policy = p.policy AND f.year = p.year
    LEFT JOIN places s ON s.policy = p.policy AND s.version = f.version AND s.stage = d.stage
), numbered AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.project, x.stage ORDER BY x.seq) AS nth
    FROM placed x
), history AS (  -- what the project's earlier decisions did
    SELECT x.*,
           sum(CASE WHEN x.outcome = 'reject' THEN 1 ELSE 0 END) OVER earlier AS rejects_before,
           max(x.place) OVER earlier AS furthest_before,
           -- the required stages decided before, each once (its first decision), with a place
           sum(CASE WHEN x.nth = 1 AND x.required = 1 AND x.place IS NOT NULL THEN 1 ELSE 0 END) OVER earlier
               AS required_done
    FROM numbered x
    WINDOW earlier AS (PARTITION BY x.project ORDER BY x.seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
-- Once a decision is neither a repeat nor after a rejection nor after a later stage, every earlier
-- decision with a place is of an earlier stage: an earlier required stage is missing exactly when
-- fewer were decided than the workflow puts before this one.
SELECT h.seq, h.project, NULL AS expected, h.stage AS actual
FROM history h
WHERE h.nth > 1
   OR h.rejects_before > 0
   OR h.furthest_before > h.place
   OR COALESCE(h.required_done, 0) < h.required_before
