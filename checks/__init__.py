"""The nightly runner: Great Expectations project and suites, Data Docs, the findings report.

Not built yet: issue 6.
"""
