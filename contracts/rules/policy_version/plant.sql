-- finds: {"policy": "test-policy", "version": 3}
INSERT INTO policies (policy, version, effective_from, seq, document)
    SELECT policy, 3, '2099-01-01', seq, document FROM policies WHERE policy = 'test-policy';
