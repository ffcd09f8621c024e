SELECT p.project, p.enterprise, e.name AS expected, p.enterprise_name AS actual
FROM {batch} p
JOIN enterprises e ON e.code = p.enterprise
WHERE p.enterprise_name <> e.name
