-- finds: {"project": "B"}
UPDATE projects SET status = 'lost' WHERE project = 'B';
