WITH fy AS (
    SELECT f.fund, f.year, f.budget_fen + f.adjust_fen + f.transfer_in_fen AS inflow,
           CAST(COALESCE((SELECT sum(p.approved_fen) FROM projects p
                          WHERE p.fund = f.fund AND p.year = f.year AND p.status = 'approved'), 0) AS BIGINT)
           + f.fees_fen + f.other_fen + f.transfer_out_fen AS used,  -- PostgreSQL's sum() is numeric: integer division needs bigint
           (SELECT count(*) FROM projects p WHERE p.fund = f.fund AND p.year = f.year AND p.status = 'approved') AS n,
           COALESCE((SELECT max(p.approved_fen) FROM projects p
                     WHERE p.fund = f.fund AND p.year = f.year AND p.status = 'approved'), 0) AS top
    FROM funds f
), actual AS (
    SELECT i.seq, i.idx, i.fund, i.year, i.measure, i.target_value AS t, i.weight AS w, i.score_rule, i.stated_e4,
           i.total_stated_e4,
           COALESCE(CASE i.measure WHEN 'projects' THEN fy.n
                                   WHEN 'max_award' THEN fy.top
                                   WHEN 'execution_rate' THEN CASE WHEN fy.inflow = 0 THEN 0
                                                                   ELSE (2 * 10000 * fy.used + fy.inflow) / (2 * fy.inflow) END
                    END, 0) AS a
    FROM {batch} i
    LEFT JOIN fy ON fy.fund = i.fund AND fy.year = i.year
), scored AS (
    SELECT actual.*,
           CASE WHEN measure = 'stated' THEN COALESCE(stated_e4, 0)
                WHEN score_rule = 'ratio' AND t = 0 THEN w * 10000
                WHEN score_rule = 'ratio' THEN 100 * ((200 * w * (CASE WHEN a < t THEN a ELSE t END) + t) / (2 * t))
                WHEN score_rule = 'at_most' THEN CASE WHEN a <= t THEN w * 10000 ELSE 0 END
                WHEN score_rule = 'at_least' AND a >= t THEN w * 10000
                WHEN score_rule = 'at_least' THEN 100 * ((200 * w * a + t) / (2 * t))
                ELSE COALESCE(stated_e4, 0)
           END AS score
    FROM actual
)
SELECT seq, fund, year, idx AS indicator, score AS expected, stated_e4 AS actual
FROM scored
WHERE stated_e4 IS NOT NULL AND score <> stated_e4
UNION ALL
SELECT seq, fund, year, NULL AS indicator, sum(score) AS expected, max(total_stated_e4) AS actual
FROM scored
GROUP BY seq, fund, year
HAVING max(total_stated_e4) IS NOT NULL AND sum(score) <> max(total_stated_e4)
