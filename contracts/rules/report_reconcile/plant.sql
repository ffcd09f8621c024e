-- finds: {"figure": "test-fund/2023/awards"}
UPDATE reported SET value = value + 100 WHERE figure = 'test-fund/2023/awards';
