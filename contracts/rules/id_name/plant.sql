-- finds: {"enterprise": "91110105MA00000025", "project": "B"}
UPDATE projects SET enterprise_name = '别的名字' WHERE project = 'B';
