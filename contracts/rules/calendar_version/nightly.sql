SELECT c.year, c.version, c.version - 1 AS expected, NULL AS actual
FROM {batch} c
WHERE c.version > 1
  AND NOT EXISTS (SELECT 1 FROM calendars u WHERE u.year = c.year AND u.version = c.version - 1)
