"""``fundledger check``: the nightly run over the whole ledger, attested in it.

Steps:
  1. fix what is checked, in one read transaction: the tree size at the start, a replay of those
     entries (``ledger/replay.py``), the root of their tree computed from their bytes by the
     replay (the run names it; a stored tree that gives another root stops the run, exit 3), and
     the projection tables against the replay. Every row that differs is a fatal ``STATE-ROW``
     finding (table, key, column); every entry the rules of its version refuse, a fatal finding of
     its rule (with its seq); a rule added after an entry's version, a warning. The digest of the projection rows checked
     (``docs/format.md`` §10) is what the run attests. A value of another type in an integer
     column (text or a fraction in an amount, written by hand on SQLite) stops the run here with
     exit 3 naming the row: the engines sum and compare those columns and cannot run over it;
  2. Great Expectations: the ``nightly`` checkpoint, one custom SQL expectation per rule file,
     inside the database, with Data Docs (``checks/gx_project.py``);
  3. pandera: the same rules over projected frames (``checks/frames.py``);
  4. one verdict: the two engines must name the same (rule, subject) pairs; every pair only one
     of them names is a fatal ``CHECK-ENGINES`` finding (one engine is wrong, or the database moved
     under the run);
  5. write ``findings.json`` (the cli.md shape, with what was checked and when), ``findings.csv``,
     ``findings.xlsx`` (the auditors' working paper, Chinese headers) and ``index.html`` (a page
     without scripts, in Chinese with the English beside it: the summary, every rule, every finding,
     links to GX's validation pages; ``checks/pages.py``);
  6. append a ``check.run`` entry signed by an enrolled checks key: suite version, tree size and
     root, the projections' digest, counts by rule and severity, the SHA-256 of findings.json,
     each engine's count.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from checks.pages import findings_xlsx, index_html
from checks.sqlrules import sql_rules
from contracts.rules import RULES
from ledger import db
from ledger.errors import IntegrityError
from ledger.findings import FATAL, Finding, findings_to_csv, findings_to_json
from ledger.keys import Signer
from ledger.replay import entry_batches, replaying
from ledger.store import Item, Ledger, Receipt
from ledger.tree import Tree, conn_size

__all__ = ["NightlyRun", "run_nightly", "suite_version"]


# what the pandera engine runs besides contracts/rules/ (every module of which is digested too: the rules'
# FRAMES and the helpers they use), and what turns either engine's rows into findings
ENGINE_SOURCES = ("checks/frames.py", "contracts/caps/frames.py", "contracts/figures/frames.py",
                  "contracts/performance/frames.py", "checks/sqlrules.py", "checks/_gx_rule.py")


def suite_version() -> str:
    """The rules' identity: a digest of exactly what runs, the GX project (its expectations hold
    every rule's query as GX runs it, the caps included) and the pandera engine's sources, every
    module of ``contracts/rules/`` among them."""
    from checks.gx_project import GX_DIR

    root = GX_DIR.parent.parent
    h = hashlib.sha256()
    files = [*sorted(p for p in GX_DIR.rglob("*") if p.is_file()), *(root / name for name in ENGINE_SOURCES),
             *sorted((root / "contracts" / "rules").rglob("*.py"))]
    for path in files:
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"nightly-{len(sql_rules())}-rules-{h.hexdigest()[:16]}"


@dataclass(frozen=True, slots=True)
class NightlyRun:
    """What a run checked and found.

    Attributes:
      tree_size, root: the ledger as the run began.
      projections_sha256: the digest of the projection rows the run checked.
      findings: the verdict, sorted (fatal first); each (rule, subject) once.
      replay_count, gx_count, pandera_count: what the replay's comparison and each engine found.
      docs: the Data Docs index page.
      report: findings.json; receipt: the ``check.run`` entry (None with ``record=False``).
    """

    tree_size: int
    root: bytes
    projections_sha256: str
    findings: tuple[Finding, ...]
    replay_count: int
    gx_count: int
    pandera_count: int
    docs: Path
    report: Path
    receipt: Receipt | None


def _key(f: Finding) -> tuple:
    return f.rule, f.subject


def _disagreements(gx: list[Finding], pd: list[Finding]) -> list[Finding]:
    mine = {_key(f): f for f in gx}
    theirs = {_key(f): f for f in pd}
    out = []
    for key in sorted(mine.keys() ^ theirs.keys(), key=repr):
        f = mine.get(key) or theirs[key]
        only = "Great Expectations" if key in mine else "pandera"
        out.append(Finding(rule="CHECK-ENGINES", severity=RULES["CHECK-ENGINES"].severity,
                           message=f"only {only} finds {f.rule} here: the engines disagree", subject=f.subject,
                           field=f.rule, expected="both engines", actual=only))
    return out


def _sorted(findings: list[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.severity != FATAL, f.rule, repr(f.subject))))


def _state(ledger: Ledger) -> tuple[int, bytes, str, list[Finding]]:
    """1. In one read transaction: the tree size and root, and the projections against a replay of
    those entries; the findings (refused entries, rules added after the fact, rows that differ)."""
    with db.read_tx(ledger.engine) as conn, replaying(ledger.contracts) as replayer:
        size = conn_size(conn)
        for batch in entry_batches(conn, size):
            replayer.feed(batch)
        replayed = replayer.finish()
        root = replayer.root()  # what the run attests: from the entries' bytes
        stored = Tree(conn, ledger.suite).root(size)
        if stored != root:
            raise IntegrityError(f"the stored Merkle tree's root at size {size} is {stored.hex()}; the entries give "
                                 f"{root.hex()}: a merkle_nodes row or an entry's hash is not what the entries give. "
                                 "The run attests nothing; run `fundledger verify`, whose step 6 names it")
        comparison = replayer.compare(conn)
    if comparison.retyped:  # the engines sum and compare these columns: they cannot run over the tables as they stand
        first = comparison.retyped[0]
        raise IntegrityError(f"{first.message}: a value of another type where the schema has an integer, written by hand; "
                           "the nightly rules cannot run over it. Run `fundledger verify`", comparison.retyped)
    return size, root, comparison.digest, [*replayed.refused, *replayed.late, *comparison.differences]


def run_nightly(ledger: Ledger, out: Path, signer: Signer | None, *, record: bool = True,
                progress: Callable[[int], None] | None = None) -> NightlyRun:
    """The run, in the steps above; ``progress`` is told of each check's end (3 steps)."""
    from checks.frames import run_pandera
    from checks.gx_project import run_gx

    out.mkdir(parents=True, exist_ok=True)
    version = suite_version()  # the rules that are about to run, digested once
    # 1. what is checked: the projections re-derived from the entries
    ran_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    size, root, digest_rows, state = _state(ledger)
    if progress:
        progress(1)
    # 2. Great Expectations, inside the database
    gx, docs = run_gx(ledger.engine.url.render_as_string(hide_password=False), out)
    if progress:
        progress(1)
    # 3. pandera over the projected frames
    with db.read_tx(ledger.engine) as conn:
        pd = run_pandera(conn)
    if progress:
        progress(1)
    # 4. one verdict
    findings = _sorted(state + list({_key(f): f for f in [*gx, *pd]}.values()) + _disagreements(gx, pd))
    engines = {"replay": len(state), "great_expectations": len(gx), "pandera": len(pd)}
    # 5. the reports
    report = {"suite_version": version, "tree_size": size, "root": root.hex(), "origin": ledger.origin, "ran_at": ran_at,
              "projections_sha256": digest_rows, "engines": engines, "findings": findings_to_json(findings)}
    data = (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (out / "findings.json").write_bytes(data)
    (out / "findings.csv").write_text(findings_to_csv(findings), encoding="utf-8")
    (out / "findings.xlsx").write_bytes(findings_xlsx(report, findings))
    (out / "index.html").write_text(index_html(report, findings, docs, out), encoding="utf-8")
    # 6. the attestation
    receipt = None
    if record:
        if signer is None:
            raise ValueError("a recorded run needs the checks key")
        counts: dict[str, dict[str, int]] = {}
        for (rule, severity), n in sorted(Counter((f.rule, f.severity) for f in findings).items()):
            counts.setdefault(rule, {})[severity] = n
        digest = hashlib.sha256(data).hexdigest()
        body: dict[str, Any] = {"suite_version": version, "tree_size": size, "root": root.hex(),
                                "projections_sha256": digest_rows, "counts": counts, "findings_sha256": digest,
                                "engines": engines}
        (receipt,) = ledger.append(signer, [Item("check.run", f"check.run:{size}:{digest[:16]}", body)])
    return NightlyRun(tree_size=size, root=root, projections_sha256=digest_rows, findings=findings,
                      replay_count=len(state), gx_count=len(gx), pandera_count=len(pd), docs=docs,
                      report=out / "findings.json", receipt=receipt)

