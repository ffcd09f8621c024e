-- finds: {"project": "B"}
UPDATE decisions SET stage = 'nowhere' WHERE project = 'B' AND stage = 'initial';
