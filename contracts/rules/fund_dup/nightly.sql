SELECT r.fund, r.year, 1 AS expected, count(*) AS actual
FROM {batch} r
JOIN entries e ON e.seq = r.seq
WHERE e.kind = 'fund.open'
GROUP BY r.fund, r.year
HAVING count(*) > 1
