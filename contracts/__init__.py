"""The rules of the money: the policy catalogue, the body schemas, the rule registry and its checks,
the effects that derive the projections, the figures and the reports.

The ledger reaches them through ``contracts.api.CONTRACTS`` (``ledger/interface.py``). See
``contracts/docs.md`` for how data flows through this package.
"""
