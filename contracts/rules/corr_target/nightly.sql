SELECT c.seq, NULL AS expected, c.target_seq AS actual
FROM {batch} c
LEFT JOIN entries e ON e.seq = c.target_seq
WHERE e.seq IS NULL OR c.target_seq >= c.seq
   OR e.kind NOT IN ('project.apply', 'review.decide', 'approval.resolve', 'disbursement.pay', 'disbursement.return',
                     'fee.pay', 'expense.other', 'budget.adjust', 'budget.transfer')
