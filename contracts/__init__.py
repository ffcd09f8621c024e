"""The rules of the money: the policy catalogue format, the pandera models, the rule registry.

Not built yet: the fund lifecycle kinds and their write-time contracts are issue 4. The ledger
core's own rules (input, idempotency, keys, references) live with it in ``ledger/``.
"""
