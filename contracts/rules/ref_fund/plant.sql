-- finds: {"fund": "ghost-fund", "project": "A", "year": 2023}
UPDATE projects SET fund = 'ghost-fund' WHERE project = 'A';
