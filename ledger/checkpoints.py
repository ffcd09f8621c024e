"""Issuing checkpoints and proving entries: the log's side of what auditors check.

A checkpoint is issued at the ledger's current size, signed by the log key, and recorded in the
ledger as a ``checkpoint.issue`` entry (idem ``checkpoint:<size>``). Its root is computed from the
entries' bytes, the stored hashes and tree compared on the way (``tree.rederived_root``). Issuing
again at a size already checkpointed returns the recorded note and a ``duplicate`` receipt (an SM2
signature is randomised, so a second signature would differ: the first one stands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ledger import db
from ledger.errors import InputError, IntegrityError, stored_blob
from ledger.keys import Signer
from ledger.note import checkpoint_body, sign_note, verifier_key
from ledger.store import Item, Ledger, Receipt
from ledger.tree import Tree, conn_size, rederived_root

__all__ = ["Issued", "issue_checkpoint", "log_verifier_key", "prove_consistency", "prove_inclusion"]


@dataclass(frozen=True, slots=True)
class Issued:
    note: str
    size: int
    root: bytes
    receipt: Receipt


def issue_checkpoint(ledger: Ledger, log: Signer, each: Callable[[bytes], None] | None = None) -> Issued:
    """Sign and record a checkpoint at the ledger's size. ``each`` is given the bytes of every entry
    the root is computed from, in that read (``export`` writes them): what it writes is exactly the
    tree the log signs."""
    with db.read_tx(ledger.engine) as conn:
        size = conn_size(conn)
        try:
            root = rederived_root(conn, size, ledger.suite, each=each)  # never the stored tree's alone: the log signs it
        except IntegrityError as e:
            raise IntegrityError(f"no checkpoint is signed: the ledger's tree is not what its entries give: "
                                 f"{e.message}") from None
    recorded = list(ledger.entries(idem=f"checkpoint:{size}"))
    note = recorded[0][2]["body"]["note"] if recorded else \
        sign_note(checkpoint_body(ledger.origin, size, root), ledger.origin, log)
    (receipt,) = ledger.append(log, [Item("checkpoint.issue", f"checkpoint:{size}",
                                          {"size": size, "root": root.hex(), "note": note})])
    return Issued(note=note, size=size, root=root, receipt=receipt)


def log_verifier_key(ledger: Ledger) -> str:
    """The C2SP verifier key string of the log key in force (the genesis's until a rotation)."""
    (log,) = [k for k in ledger.keys() if k.role == "log" and k.revoked_seq is None]
    return verifier_key(ledger.origin, stored_blob(log.public, "the keys row {}, column public", log.kid), ledger.suite)


def prove_inclusion(ledger: Ledger, seq: int, size: int | None) -> dict[str, Any]:
    with db.read_tx(ledger.engine) as conn:
        current = conn_size(conn)
        size = current if size is None else size
        _check_size(size, current)
        if not 0 <= seq < size:
            raise InputError(f"seq {seq} is not in a tree of size {size}")
        tree = Tree(conn, ledger.suite)
        leaf, root, path = tree.leaf(seq), tree.root(size), tree.inclusion(seq, size)
    return {"leaf_index": seq, "tree_size": size, "leaf_hash": leaf.hex(), "root": root.hex(),
            "path": [p.hex() for p in path]}


def prove_consistency(ledger: Ledger, old: int, new: int) -> dict[str, Any]:
    with db.read_tx(ledger.engine) as conn:
        _check_size(new, conn_size(conn))
        if not 1 <= old <= new:
            raise InputError(f"no consistency proof from size {old} to size {new} (need 1 <= OLD <= NEW)")
        tree = Tree(conn, ledger.suite)
        return {"old_size": old, "new_size": new, "old_root": tree.root(old).hex(), "new_root": tree.root(new).hex(),
                "path": [p.hex() for p in tree.consistency(old, new)]}


def _check_size(size: int, current: int) -> None:
    if not 1 <= size <= current:
        raise InputError(f"tree size {size} is not between 1 and the ledger's size {current}")
