"""fundledger's ledger core: entries, canonical bytes, signatures, storage, verification, CLI.

It knows nothing about budgets beyond the names of entry kinds; the rules of the money live in
``contracts/``. See ``ledger/docs.md`` for how data flows through this package.
"""
