-- rule: REPORT-RECONCILE
-- table: reported
-- what: a figure a report states that differs from the ledger's own beyond its tolerance (one fund's money and counts; rates, stages and sums over funds are reconciled at write time and in the reports)
WITH awarded AS (
    SELECT fund, year, clause, count(*) AS n, sum(approved_fen) AS fen
    FROM projects WHERE status = 'approved' GROUP BY fund, year, clause
), totals AS (
    SELECT f.fund, f.year, f.budget_fen, f.adjust_fen, f.transfer_in_fen, f.transfer_out_fen, f.fees_fen, f.other_fen,
           COALESCE((SELECT sum(a.n) FROM awarded a WHERE a.fund = f.fund AND a.year = f.year), 0) AS projects,
           COALESCE((SELECT sum(a.fen) FROM awarded a WHERE a.fund = f.fund AND a.year = f.year), 0) AS awards,
           (SELECT count(*) FROM projects p WHERE p.fund = f.fund AND p.year = f.year) AS applications
    FROM funds f
), ours AS (
    SELECT r.seq, r.figure, r.metric, r.value, r.tolerance,
           CASE r.metric
               WHEN 'budget' THEN t.budget_fen
               WHEN 'adjustments' THEN t.adjust_fen
               WHEN 'transfers_in' THEN t.transfer_in_fen
               WHEN 'transfers_out' THEN t.transfer_out_fen
               WHEN 'available' THEN t.budget_fen + t.adjust_fen + t.transfer_in_fen - t.transfer_out_fen
               WHEN 'applications' THEN t.applications
               WHEN 'projects' THEN t.projects
               WHEN 'awards' THEN t.awards
               WHEN 'fees' THEN t.fees_fen
               WHEN 'arranged' THEN t.awards + t.fees_fen
               WHEN 'other' THEN t.other_fen + t.transfer_out_fen
               WHEN 'spent' THEN t.awards + t.fees_fen + t.other_fen
               WHEN 'balance' THEN t.budget_fen + t.adjust_fen + t.transfer_in_fen
                                   - t.awards - t.fees_fen - t.other_fen - t.transfer_out_fen
               WHEN 'clause_projects' THEN COALESCE((SELECT a.n FROM awarded a WHERE a.fund = t.fund AND a.year = t.year
                                                       AND a.clause = r.qualifier), 0)
               WHEN 'clause_awards' THEN COALESCE((SELECT a.fen FROM awarded a WHERE a.fund = t.fund AND a.year = t.year
                                                     AND a.clause = r.qualifier), 0)
           END AS ledger
    FROM {batch} r
    JOIN totals t ON t.fund = r.fund AND t.year = r.year
    WHERE (r.qualifier IS NULL AND r.metric IN ('budget', 'adjustments', 'transfers_in', 'transfers_out', 'available',
                                               'applications', 'projects', 'awards', 'fees', 'arranged', 'other', 'spent',
                                               'balance'))
       OR (r.qualifier IS NOT NULL AND r.metric IN ('clause_projects', 'clause_awards'))
)
SELECT seq, figure, metric, ledger AS expected, value AS actual
FROM ours
WHERE abs(ledger - value) > tolerance
