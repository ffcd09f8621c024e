SELECT v.policy, v.version, v.version - 1 AS expected, NULL AS actual
FROM {batch} v
WHERE v.version > 1
  AND NOT EXISTS (SELECT 1 FROM policies u WHERE u.policy = v.policy AND u.version = v.version - 1)
