SELECT r.seq, r.figure, r.metric, q.value AS expected, r.value AS actual
FROM {batch} r
JOIN reported q ON q.figure = r.figure AND q.seq < r.seq
WHERE abs(q.value - r.value) > CASE WHEN q.tolerance > r.tolerance THEN q.tolerance ELSE r.tolerance END
