-- finds: {"enterprise": "91110105MA00000012", "fund": "test-fund", "project": "C", "year": 2023}
INSERT INTO policy_terms (policy, version, term, subject, value) VALUES ('test-policy', 1, 'one_award', '', 1);
