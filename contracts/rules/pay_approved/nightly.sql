SELECT p.project, p.fund, p.year, p.approved_fen AS expected,
       sum(CASE WHEN m.kind = 'pay' THEN m.amount_fen ELSE -m.amount_fen END) AS actual
FROM {batch} p
JOIN payments m ON m.project = p.project
WHERE m.seq NOT IN (SELECT target_seq FROM reversals)
GROUP BY p.project, p.fund, p.year, p.approved_fen
HAVING sum(CASE WHEN m.kind = 'pay' THEN m.amount_fen ELSE -m.amount_fen END) > p.approved_fen
