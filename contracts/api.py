"""The contracts as the ledger reaches them: ``CONTRACTS``, an implementation of
``ledger.interface.Contracts``, passed in by whoever opens a ledger (the CLI, the demo, the tests).

Importing this module is cheap and loads no database or data-frame library (``verify --bundle``
needs only the kinds): pandas and pandera load on the first ``prepare``, the rules on the first
``apply`` or ``version``, SQLAlchemy's ORM on the first ``tables``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from contracts.kinds import KINDS
from ledger.kinds import POSTER

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

    from ledger.findings import Finding

__all__ = ["CONTRACTS", "CONTRACTS_VERSION", "FundContracts"]

# The version of the rule set (contracts/rules/), recorded by every posting. A release that adds a rule
# raises it by one and gives the rule ``since`` = the new version. It is here, not in the registry, so
# that a posting the contracts have nothing to check (an audit note) never loads the rules.
CONTRACTS_VERSION = 1


class FundContracts:
    """The rules of the money of fundledger's fund lifecycle (``contracts/rules/``)."""

    def __init__(self) -> None:
        self.kinds = {kind: frozenset({POSTER}) for kind in KINDS}

    @property
    def version(self) -> int:
        return CONTRACTS_VERSION

    def prepare(self, items: Sequence[Any]) -> list[Any]:
        from contracts.schemas import prepare

        return prepare(items)

    def apply(self, conn: "Connection", first_seq: int, items: Sequence[Any], version: int, *,
              prev: bytes) -> list["Finding"]:
        from contracts.engine import run

        return run(conn, first_seq, items, version, prev)

    def tables(self) -> Sequence["Table"]:
        from contracts.models import PROJECTIONS

        return PROJECTIONS

    def since(self, rule: str) -> int:
        from contracts.rules import RULES

        return RULES[rule].since if rule in RULES else 1


CONTRACTS = FundContracts()
