SELECT d.year, d.version, d.day, NULL AS expected, NULL AS actual
FROM {batch} d
WHERE substr(d.day, 1, 4) <> CAST(d.year AS TEXT)
   OR (d.working = 1 AND d.weekday < 5)
