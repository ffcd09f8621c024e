SELECT p.project, p.fund, p.year, NULL AS expected, p.notice AS actual
FROM {batch} p
LEFT JOIN notices n ON n.notice = p.notice
WHERE p.notice IS NOT NULL AND n.notice IS NULL
