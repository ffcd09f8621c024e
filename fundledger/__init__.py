"""The application: the ``fundledger`` command line (``cli.py``) and the demo (``demo.py``).

It sits above every package and wires them together: it opens each ledger with the contracts
(``contracts.api.CONTRACTS``) and calls the nightly run of ``checks/``.
"""
