SELECT p.project, p.fund, p.year, NULL AS expected, NULL AS actual
FROM {batch} p
LEFT JOIN funds f ON f.fund = p.fund AND f.year = p.year
WHERE f.fund IS NULL
