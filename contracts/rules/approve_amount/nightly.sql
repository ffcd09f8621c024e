SELECT p.project, p.fund, p.year, p.amount_fen AS expected, p.approved_fen AS actual
FROM {batch} p
WHERE p.status = 'approved' AND p.approved_fen > p.amount_fen
