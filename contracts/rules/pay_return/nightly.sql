SELECT p.project, p.fund, p.year,
       sum(CASE WHEN m.kind = 'pay' THEN m.amount_fen ELSE 0 END) AS expected,
       sum(CASE WHEN m.kind = 'return' THEN m.amount_fen ELSE 0 END) AS actual
FROM {batch} p
JOIN payments m ON m.project = p.project
WHERE m.seq NOT IN (SELECT target_seq FROM reversals)
GROUP BY p.project, p.fund, p.year
HAVING sum(CASE WHEN m.kind = 'return' THEN m.amount_fen ELSE 0 END) > sum(CASE WHEN m.kind = 'pay' THEN m.amount_fen ELSE 0 END)
