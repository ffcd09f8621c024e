-- finds: {"project": "R"}
UPDATE decisions SET reason = NULL WHERE project = 'R';
