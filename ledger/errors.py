"""One exception hierarchy, caught once in the CLI entry point.

Each error carries the process exit code documented in ``docs/cli.md`` / the README, so a command
never decides an exit code by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.findings import Finding

__all__ = [
    "ConflictError",
    "EnvironmentProblem",
    "Error",
    "IntegrityError",
    "InputError",
    "Rejected",
    "stored_blob",
    "stored_hex",
    "stored_value",
]


class Error(Exception):
    """Base of every error fundledger reports to a user. ``message`` is user-facing."""

    exit_code = 1

    def __init__(self, message: str, findings: tuple["Finding", ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.findings = tuple(findings)


class Rejected(Error):
    """A contract rejected the input (a fatal finding); nothing was appended. Exit 1."""

    exit_code = 1


class InputError(Error):
    """Bad input or usage: unparseable, wrong type, unknown kind, missing field. Exit 2."""

    exit_code = 2


class IntegrityError(Error):
    """The ledger, a bundle or a proof is inconsistent. Exit 3."""

    exit_code = 3


class ConflictError(Error):
    """An idem already in the ledger with a different body, or init with other keys. Exit 4."""

    exit_code = 4


class EnvironmentProblem(Error):
    """Database unreachable, key file unreadable, migrations not applied. Exit 5."""

    exit_code = 5


# -- stored values that are not what the schema holds (SQLite keeps what an UPDATE gives it) ------
def stored_hex(value: Any) -> str:
    """A stored BLOB as a failure shows it: its hex; a value of another type (text that SQLite kept,
    or anything a column altered by hand returns) as itself, with its type."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return f"{value!r} ({type(value).__name__}, not bytes)"


def stored_value(value: Any) -> Any:
    """A BLOB column's value as bytes (drivers may give a buffer); a value of another type as it is,
    for ``verify``'s comparison that follows to find it unequal and name it at its step."""
    return bytes(value) if isinstance(value, (bytearray, memoryview)) else value


def stored_blob(value: Any, where: str, *about: Any) -> bytes:
    """A BLOB column (an entry's bytes or hash, a key, a Merkle node) as bytes, for a command that
    reads it without verifying it first (a posting, a trail, a proof, an export): a value of
    another type was written by hand, an integrity failure naming where it is (``where`` formatted
    with ``about``, only then: ``"seq {}: the entries column data", 4``), not a crash."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise IntegrityError(f"{where.format(*about)} holds {stored_hex(value)}: the database was edited by hand; run "
                         "`fundledger verify`")
