SELECT p.project, p.fund, p.year, p.clause, min(c.fen) AS expected, p.approved_fen AS actual
FROM {batch} p
JOIN project_caps c ON c.project = p.project AND c.rule = 'CAP-REVENUE-SHARE'
WHERE p.status = 'approved' AND c.fen IS NOT NULL
GROUP BY p.project, p.fund, p.year, p.clause, p.approved_fen
HAVING p.approved_fen > min(c.fen)
