"""The nightly run: the projections against a replay of the entries, then every rule in Great
Expectations and in pandera, one verdict, Data Docs and a signed ``check.run`` entry.

See ``checks/docs.md`` for how the pieces fit.
"""
