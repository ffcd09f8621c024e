WITH cs (ch, v) AS (VALUES ('0', 0), ('1', 1), ('2', 2), ('3', 3), ('4', 4), ('5', 5), ('6', 6), ('7', 7), ('8', 8),
                          ('9', 9), ('A', 10), ('B', 11), ('C', 12), ('D', 13), ('E', 14), ('F', 15), ('G', 16),
                          ('H', 17), ('J', 18), ('K', 19), ('L', 20), ('M', 21), ('N', 22), ('P', 23), ('Q', 24),
                          ('R', 25), ('T', 26), ('U', 27), ('W', 28), ('X', 29), ('Y', 30)),
     w (i, wt) AS (VALUES (1, 1), (2, 3), (3, 9), (4, 27), (5, 19), (6, 26), (7, 16), (8, 17), (9, 20), (10, 29),
                          (11, 25), (12, 13), (13, 8), (14, 24), (15, 10), (16, 30), (17, 28)),
     sums AS (SELECT e.code, count(cs.ch) AS known, sum(cs.v * w.wt) AS total
              FROM {batch} e CROSS JOIN w LEFT JOIN cs ON cs.ch = substr(e.code, w.i, 1)
              GROUP BY e.code)
SELECT s.code AS enterprise, NULL AS expected, s.code AS actual
FROM sums s
LEFT JOIN cs c ON c.ch = substr(s.code, 18, 1)
WHERE length(s.code) <> 18 OR s.known < 17 OR c.ch IS NULL OR (31 - s.total % 31) % 31 <> c.v
