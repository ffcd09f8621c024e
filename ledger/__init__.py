"""fundledger's ledger core: entries, canonical bytes, signatures, storage, verification, replay.

It knows nothing about budgets: the rules of the money reach it through the one interface of
``ledger/interface.py``, passed in by whoever opens a ledger, and it imports nothing from
``contracts/``, ``checks/`` or ``fundledger/`` (``tests/test_layers.py``). See ``ledger/docs.md``
for how data flows through this package.
"""
