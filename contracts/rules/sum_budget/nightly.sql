SELECT f.fund, f.year, f.budget_fen + f.adjust_fen + f.transfer_in_fen AS expected,
       COALESCE((SELECT sum(p.approved_fen) FROM projects p WHERE p.fund = f.fund AND p.year = f.year AND p.status = 'approved'), 0)
       + f.fees_fen + f.other_fen + f.transfer_out_fen AS actual
FROM {batch} f
WHERE COALESCE((SELECT sum(p.approved_fen) FROM projects p WHERE p.fund = f.fund AND p.year = f.year AND p.status = 'approved'), 0)
      + f.fees_fen + f.other_fen + f.transfer_out_fen > f.budget_fen + f.adjust_fen + f.transfer_in_fen
