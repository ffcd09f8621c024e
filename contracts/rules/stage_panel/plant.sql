-- finds: {"project": "A"}
UPDATE decisions SET panel_size = 4 WHERE project = 'A' AND stage = 'expert';
