"""The one interface through which the ledger reaches the rules of the money.

The ledger core knows nothing about budgets. Whoever wires the packages together (the CLI, the
demo, the tests) passes an object of this shape to :class:`ledger.store.Ledger`, to
:func:`ledger.replay.replay` and to the verifiers; ``contracts.api.CONTRACTS`` is the one
fundledger ships. Posting and replay call the very same methods, so what a posting does to the
state is decided in one place:

* at posting, :meth:`Contracts.prepare` turns the input bodies into stored bodies (amounts to fen)
  and refuses malformed ones (exit 2); :meth:`Contracts.apply` checks each entry on the state as
  of the entries before it and applies its effect to the projection tables, in the posting's
  transaction; the posting records :attr:`Contracts.version` (``posting.contracts`` in every
  envelope, ``docs/format.md``);
* at replay, the stored bodies go through :meth:`Contracts.prepare` again (a stored body is its
  own stored form) and :meth:`Contracts.apply` with the version the posting recorded, into a
  scratch store; :meth:`Contracts.since` tells a rule added after a posting's version (whose
  findings are then warnings); :meth:`Contracts.tables` names the tables to compare with the
  database's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Protocol, Sequence

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

    from ledger.findings import Finding
    from ledger.store import Item

__all__ = ["Contracts"]


class Contracts(Protocol):
    """The rules of the money, as the ledger sees them.

    Attributes:
      version: the version of the rule set; it grows whenever a release adds a rule (a rule is never
        made stricter in place). Every posting records the version that checked it.
      kinds: the entry kinds the contracts check, each with the roles whose keys may post it.
    """

    version: int
    kinds: Mapping[str, frozenset[str]]

    def prepare(self, items: Sequence["Item"]) -> list["Item"]:
        """The items with their stored bodies (amounts as integer fen). Raises
        :class:`ledger.errors.InputError` (exit 2) with every malformed body's findings. Runs before
        any transaction opens; items of other kinds pass through unchanged."""
        ...

    def apply(self, conn: "Connection", first_seq: int, items: Sequence["Item"], version: int, *,
              prev: bytes) -> list["Finding"]:
        """Check each of the contracts' entries (at ``first_seq`` + its position) on the state as
        of the entries before it, and apply the effect of each entry none of whose findings is
        fatal, writing the projection rows in ``conn``'s transaction. ``version`` is the rule set
        the posting is held to: a fatal finding of a rule added after it is returned as a warning.
        ``prev`` is the hash of the entry before the posting (the head the ledger read). The caller
        rolls the transaction back if it refuses the posting."""
        ...

    def tables(self) -> Sequence["Table"]:
        """The projection tables the effects write, each a pure function of the entries."""
        ...

    def since(self, rule: str) -> int:
        """The contracts version that added ``rule`` (1 for a rule that is not the contracts')."""
        ...
