-- finds: {"project": "A"}
UPDATE payments SET date = '2023-09-26' WHERE project = 'A';
