SELECT r.project, 1 AS expected, count(*) AS actual
FROM {batch} r
JOIN entries e ON e.seq = r.seq
WHERE e.kind = 'project.apply'
GROUP BY r.project
HAVING count(*) > 1
