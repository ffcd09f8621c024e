SELECT p.project, p.fund, p.year, p.clause, NULL AS expected, NULL AS actual
FROM {batch} p
WHERE p.status = 'approved'
  AND EXISTS (SELECT 1 FROM project_caps c WHERE c.project = p.project AND c.fen IS NULL)
