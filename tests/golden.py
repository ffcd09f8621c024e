"""Findings pinned to files, so that moving a rule's code cannot change what it finds.

The write-time rules' findings (every posting ``tests/test_rules.py`` accepts or refuses), the
nightly engines' findings (the clean fixture ledger and every planted state of
``tests/test_nightly.py``) and the demo ledger's findings at posting and at night are kept under
``tests/golden/`` as JSON: rule, severity, field, subject, expected, actual, difference and message
of each finding, in a stable order. A test compares what it finds now with its file; a difference
fails it, naming the first finding that differs.

The files were recorded before the one-rule-one-place redesign (issue 13) and are changed only on
purpose: ``FUNDLEDGER_GOLDEN=record pytest …`` writes them afresh, and the diff is reviewed with
the change that explains it. A test whose file is missing fails (it never records by itself).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from ledger.findings import Finding

__all__ = ["matches", "rows"]

GOLDEN = Path(__file__).parent / "golden"


def rows(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """The findings as plain rows, sorted so that the order the engines give them in does not matter."""
    out = [f.as_dict() for f in findings]
    return sorted(out, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False, default=str))


def matches(area: str, key: str, found: Iterable[Finding] | list[dict[str, Any]]) -> None:
    """Assert that ``found`` equals the findings pinned as ``tests/golden/<area>/<key>.json``."""
    got = found if isinstance(found, list) and (not found or isinstance(found[0], dict)) else rows(found)
    got = json.loads(json.dumps(got, ensure_ascii=False, default=str))
    path = GOLDEN / area / (re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_") + ".json")
    if os.environ.get("FUNDLEDGER_GOLDEN") == "record":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: record it with FUNDLEDGER_GOLDEN=record and review the diff"
    want = json.loads(path.read_text(encoding="utf-8"))
    for i, (w, g) in enumerate(zip(want, got)):
        assert g == w, f"{path.name}: finding {i} differs\n  pinned: {w}\n  now:    {g}"
    assert len(got) == len(want), f"{path.name}: {len(want)} findings pinned, {len(got)} now"
