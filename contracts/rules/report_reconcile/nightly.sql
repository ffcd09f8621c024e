WITH figures AS (  -- the figures the ledger computes (the others are REPORT-FIGURE), with their funds' money summed
    SELECT r.seq, r.figure, r.year, r.metric, r.qualifier, r.value, r.tolerance,
           CAST(sum(f.budget_fen) AS BIGINT) AS budget, CAST(sum(f.adjust_fen) AS BIGINT) AS adjust,
           CAST(sum(f.transfer_in_fen) AS BIGINT) AS tin, CAST(sum(f.transfer_out_fen) AS BIGINT) AS tout,
           CAST(sum(f.fees_fen) AS BIGINT) AS fees, CAST(sum(f.other_fen) AS BIGINT) AS other
    FROM {batch} r
    JOIN reported_funds rf ON rf.seq = r.seq
    LEFT JOIN funds f ON f.fund = rf.fund AND f.year = r.year
    WHERE (r.qualifier IS NULL AND r.metric IN ('budget', 'adjustments', 'transfers_in', 'transfers_out', 'available',
                                               'applications', 'projects', 'awards', 'fees', 'arranged', 'other', 'spent',
                                               'balance', 'execution_rate', 'adjustment_rate', 'max_award'))
       OR (r.qualifier IS NOT NULL AND length(r.qualifier) = length(replace(r.qualifier, '/', ''))
           AND r.metric IN ('clause_projects', 'clause_awards', 'stage_passed', 'stage_amount', 'expense', 'fee'))
       OR (r.qualifier IS NOT NULL AND length(r.qualifier) - length(replace(r.qualifier, '/', '')) IN (1, 2)
           AND r.metric IN ('outcome_count', 'outcome_amount'))
    GROUP BY r.seq, r.figure, r.year, r.metric, r.qualifier, r.value, r.tolerance
    HAVING count(f.fund) = count(*) AND count(DISTINCT rf.fund) = count(*)
), totals AS (  -- the projects of the figure's funds
    SELECT g.*, g.budget + g.adjust + g.tin AS inflow,
           (SELECT count(*) FROM reported_funds rf JOIN projects p ON p.fund = rf.fund AND p.year = g.year
            WHERE rf.seq = g.seq) AS applications,
           (SELECT count(*) FROM reported_funds rf JOIN projects p ON p.fund = rf.fund AND p.year = g.year
            WHERE rf.seq = g.seq AND p.status = 'approved') AS projects,
           (SELECT CAST(COALESCE(sum(p.approved_fen), 0) AS BIGINT) FROM reported_funds rf
            JOIN projects p ON p.fund = rf.fund AND p.year = g.year WHERE rf.seq = g.seq AND p.status = 'approved') AS awards,
           (SELECT COALESCE(max(p.approved_fen), 0) FROM reported_funds rf
            JOIN projects p ON p.fund = rf.fund AND p.year = g.year WHERE rf.seq = g.seq AND p.status = 'approved') AS max_award
    FROM figures g
), parts AS (  -- a rate's parts: execution = (arranged + other) / inflow, adjustment = adjustments / budget
    SELECT t.*,
           CASE t.metric WHEN 'execution_rate' THEN t.awards + t.fees + t.other + t.tout ELSE t.adjust END AS part,
           CASE t.metric WHEN 'execution_rate' THEN t.inflow ELSE t.budget END AS whole
    FROM totals t
), rates AS (  -- permyriad: |part / whole| rounded half up, then signed (a cut is negative); no rate over nothing
    SELECT t.*,
           CASE WHEN t.whole <> 0 THEN (20000 * abs(t.part) + abs(t.whole)) / (2 * abs(t.whole))
                                       * CASE WHEN (t.part < 0) = (t.whole < 0) THEN 1 ELSE -1 END END AS rate
    FROM parts t
), ours AS (
    SELECT t.seq, t.figure, t.metric, t.value, t.tolerance,
           CASE t.metric
               WHEN 'budget' THEN t.budget
               WHEN 'adjustments' THEN t.adjust
               WHEN 'transfers_in' THEN t.tin
               WHEN 'transfers_out' THEN t.tout
               WHEN 'available' THEN t.inflow - t.tout
               WHEN 'applications' THEN t.applications
               WHEN 'projects' THEN t.projects
               WHEN 'awards' THEN t.awards
               WHEN 'fees' THEN t.fees
               WHEN 'arranged' THEN t.awards + t.fees
               WHEN 'other' THEN t.other + t.tout
               WHEN 'spent' THEN t.awards + t.fees + t.other
               WHEN 'balance' THEN t.inflow - t.awards - t.fees - t.other - t.tout
               WHEN 'max_award' THEN t.max_award
               WHEN 'execution_rate' THEN t.rate
               WHEN 'adjustment_rate' THEN t.rate
               WHEN 'clause_projects' THEN (SELECT count(*) FROM reported_funds rf JOIN projects p
                                                ON p.fund = rf.fund AND p.year = t.year
                                            WHERE rf.seq = t.seq AND p.status = 'approved' AND p.clause = t.qualifier)
               WHEN 'clause_awards' THEN (SELECT CAST(COALESCE(sum(p.approved_fen), 0) AS BIGINT) FROM reported_funds rf
                                          JOIN projects p ON p.fund = rf.fund AND p.year = t.year
                                          WHERE rf.seq = t.seq AND p.status = 'approved' AND p.clause = t.qualifier)
               -- a stage's figures: the decisions at it that let the project through, and the amount after them
               WHEN 'stage_passed' THEN (SELECT count(*) FROM reported_funds rf
                                         JOIN projects p ON p.fund = rf.fund AND p.year = t.year
                                         JOIN decisions d ON d.project = p.project
                                         WHERE rf.seq = t.seq AND d.stage = t.qualifier AND d.outcome <> 'reject')
               WHEN 'stage_amount' THEN (SELECT CAST(COALESCE(sum(d.amount_after_fen), 0) AS BIGINT) FROM reported_funds rf
                                         JOIN projects p ON p.fund = rf.fund AND p.year = t.year
                                         JOIN decisions d ON d.project = p.project
                                         WHERE rf.seq = t.seq AND d.stage = t.qualifier AND d.outcome <> 'reject')
               -- an outcome's figures: <stage>/<outcome>[/<reason>], and the amounts the decisions took away
               WHEN 'outcome_count' THEN (SELECT count(*) FROM reported_funds rf
                                          JOIN projects p ON p.fund = rf.fund AND p.year = t.year
                                          JOIN decisions d ON d.project = p.project
                                          WHERE rf.seq = t.seq AND (d.stage || '/' || d.outcome = t.qualifier
                                                OR d.stage || '/' || d.outcome || '/' || d.reason = t.qualifier))
               WHEN 'outcome_amount' THEN (SELECT CAST(COALESCE(sum(d.amount_before_fen - d.amount_after_fen), 0) AS BIGINT)
                                           FROM reported_funds rf
                                           JOIN projects p ON p.fund = rf.fund AND p.year = t.year
                                           JOIN decisions d ON d.project = p.project
                                           WHERE rf.seq = t.seq AND (d.stage || '/' || d.outcome = t.qualifier
                                                 OR d.stage || '/' || d.outcome || '/' || d.reason = t.qualifier))
               -- named spending: fees by payee, other expenses by item, reversed ones not counted
               WHEN 'expense' THEN (SELECT CAST(COALESCE(sum(s.amount_fen), 0) AS BIGINT) FROM reported_funds rf
                                    JOIN spending s ON s.fund = rf.fund AND s.year = t.year
                                    WHERE rf.seq = t.seq AND s.kind = 'expense' AND s.name = t.qualifier
                                      AND s.seq NOT IN (SELECT target_seq FROM reversals))
               WHEN 'fee' THEN (SELECT CAST(COALESCE(sum(s.amount_fen), 0) AS BIGINT) FROM reported_funds rf
                                JOIN spending s ON s.fund = rf.fund AND s.year = t.year
                                WHERE rf.seq = t.seq AND s.kind = 'fee' AND s.name = t.qualifier
                                  AND s.seq NOT IN (SELECT target_seq FROM reversals))
           END AS ledger
    FROM rates t
)
SELECT seq, figure, metric, ledger AS expected, value AS actual
FROM ours
WHERE abs(ledger - value) > tolerance
