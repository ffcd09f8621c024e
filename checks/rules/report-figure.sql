-- rule: REPORT-FIGURE
-- table: reported
-- what: a reported figure the ledger does not compute: a fund-year never opened, an unknown metric, or the wrong number of qualifiers (sums over funds are checked at write time)
SELECT r.seq, r.figure, NULL AS expected, NULL AS actual
FROM {batch} r
WHERE r.metric IS NULL
   OR (r.fund NOT LIKE '%+%' AND NOT EXISTS (SELECT 1 FROM funds f WHERE f.fund = r.fund AND f.year = r.year))
   OR NOT (
        (r.qualifier IS NULL AND r.metric IN ('budget', 'adjustments', 'transfers_in', 'transfers_out', 'available',
                                              'applications', 'projects', 'awards', 'fees', 'arranged', 'other', 'spent',
                                              'balance', 'execution_rate', 'adjustment_rate', 'max_award'))
     OR (r.qualifier IS NOT NULL AND length(r.qualifier) = length(replace(r.qualifier, '/', ''))
         AND r.metric IN ('clause_projects', 'clause_awards', 'stage_passed', 'stage_amount', 'expense', 'fee'))
     OR (r.qualifier IS NOT NULL AND length(r.qualifier) - length(replace(r.qualifier, '/', '')) IN (1, 2)
         AND r.metric IN ('outcome_count', 'outcome_amount')))
