-- finds: {"version": 3, "year": 2023}
INSERT INTO calendars (year, version, seq, document) VALUES (2023, 3, 99990, 'a calendar');
