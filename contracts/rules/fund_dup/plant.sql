-- finds: {"fund": "test-fund", "year": 2023}
INSERT INTO entry_refs (seq, idx, fund, year, project) SELECT r.seq, r.idx + 1, r.fund, r.year, r.project FROM entry_refs r JOIN entries e ON e.seq = r.seq WHERE e.kind = 'fund.open' AND r.fund = 'test-fund';
