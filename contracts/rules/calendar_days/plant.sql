-- finds: {"day": "2024-01-01", "version": 1, "year": 2023}
INSERT INTO calendar_days (year, version, day, working, weekday) VALUES (2023, 1, '2024-01-01', 0, 0);
