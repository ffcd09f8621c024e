SELECT p.project, p.enterprise, p.fund, p.year, NULL AS expected, p.content AS actual
FROM {batch} p
WHERE p.status = 'approved'
  AND EXISTS (SELECT 1 FROM projects q
              WHERE q.status = 'approved' AND q.enterprise = p.enterprise AND q.year = p.year
                AND q.content = p.content AND q.fund <> p.fund)
