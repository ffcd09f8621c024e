-- finds: {"project": "B"}
UPDATE resolutions SET body = 'ghost-body' WHERE project = 'B' AND body = 'body-a';
