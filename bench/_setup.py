"""What every benchmark does first: keys, a fresh ledger, an enrolled poster."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.keys import Signer, load_private, write_new_key  # noqa: E402
from ledger.store import Ledger, enroll_item, init_ledger  # noqa: E402


def new_ledger(url: str, work: Path, origin: str) -> tuple[Ledger, Signer, Signer]:
    """Create admin, log and poster keys under ``work``, initialise ``url``, enroll the poster."""
    for name in ("admin", "log", "poster"):
        write_new_key(work / f"{name}.key")
    admin, log, poster = (load_private(work / f"{n}.key") for n in ("admin", "log", "poster"))
    init_ledger(url, admin.public, log, origin=origin, log_key_path=None)
    ledger = Ledger.open(url)
    ledger.append(admin, [enroll_item(poster.public, "bench poster", "poster")])
    return ledger, log, poster
