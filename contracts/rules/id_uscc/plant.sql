-- finds: {"enterprise": "I1110105MA0000001X"}
INSERT INTO enterprises (code, name, first_seq) VALUES ('I1110105MA0000001X', '坏代码', 0);
