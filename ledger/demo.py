"""``fundledger demo``: the README's main job on a fresh machine.

Creates the keys a demo needs under ``./fundledger-keys/`` (0600; reused on a second run),
initialises the ledger (recording the log key's path like ``init``), enrolls a poster and an
auditor, posts the bundled example notes, verifies the ledger and prints its trail. Run twice, it
appends nothing new: every posting comes back as ``duplicate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ledger import db
from ledger.inputs import parse_lines
from ledger.keys import Signer, load_private, load_public, write_new_key
from ledger.store import Ledger, enroll_item, init_ledger
from ledger.trail import render_trail
from ledger.verify import verify_ledger

__all__ = ["EXAMPLES", "run_demo"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_DEMO_KEYS = ("admin", "log", "poster", "auditor")


def _key(keys_dir: Path, name: str) -> Signer:
    path = keys_dir / f"{name}.key"
    if not path.exists():
        write_new_key(path)
    return load_private(path)


def run_demo(db_url: str, keys_dir: Path, echo: Callable[[str], None]) -> None:
    signers = {name: _key(keys_dir, name) for name in _DEMO_KEYS}
    result = init_ledger(db_url, load_public(keys_dir / "admin.key.pub"), signers["log"],
                         origin="fundledger.local/demo", log_key_path=str((keys_dir / "log.key").resolve()))
    echo(f"ledger {result.origin}: genesis {result.genesis_hash[:16]}… (keys in {keys_dir}/)")
    ledger = Ledger.open(db_url)
    for role in ("poster", "auditor"):
        (r,) = ledger.append(signers["admin"], [enroll_item(signers[role].public, f"demo {role}", role)])
        echo(f"key.enroll {role:<8} seq {r.seq:>3} {r.status}")
    notes = EXAMPLES / "notes.jsonl"
    receipts = ledger.append(signers["poster"], parse_lines(notes.read_bytes().splitlines(), str(notes)))
    counts = {s: sum(1 for r in receipts if r.status == s) for s in ("appended", "duplicate")}
    echo(f"posted {notes.name}: {counts['appended']} appended, {counts['duplicate']} duplicate")
    check = verify_ledger(db.make_engine(db_url))
    echo(f"verify: ok, {check.entries} entries in {check.postings} postings, head {check.head_hash[:16]}…")
    echo("")
    names = {k.kid: k.name for k in ledger.keys()}
    for chunk in render_trail(ledger.entries(), names, "table"):
        echo(chunk.rstrip("\n"))
