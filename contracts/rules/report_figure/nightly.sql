SELECT r.seq, r.figure, NULL AS expected, NULL AS actual
FROM {batch} r
LEFT JOIN reported_funds rf ON rf.seq = r.seq
LEFT JOIN funds f ON f.fund = rf.fund AND f.year = r.year
GROUP BY r.seq, r.figure, r.metric, r.qualifier
HAVING r.metric IS NULL
    OR count(rf.fund) = 0 OR count(f.fund) < count(rf.fund) OR count(DISTINCT rf.fund) < count(rf.fund)
    OR (r.metric = 'execution_rate' AND sum(f.budget_fen + f.adjust_fen + f.transfer_in_fen) = 0)
    OR (r.metric = 'adjustment_rate' AND sum(f.budget_fen) = 0)
    OR NOT (
         (r.qualifier IS NULL AND r.metric IN ('budget', 'adjustments', 'transfers_in', 'transfers_out', 'available',
                                               'applications', 'projects', 'awards', 'fees', 'arranged', 'other', 'spent',
                                               'balance', 'execution_rate', 'adjustment_rate', 'max_award'))
      OR (r.qualifier IS NOT NULL AND length(r.qualifier) = length(replace(r.qualifier, '/', ''))
          AND r.metric IN ('clause_projects', 'clause_awards', 'stage_passed', 'stage_amount', 'expense', 'fee'))
      OR (r.qualifier IS NOT NULL AND length(r.qualifier) - length(replace(r.qualifier, '/', '')) IN (1, 2)
          AND r.metric IN ('outcome_count', 'outcome_amount')))
