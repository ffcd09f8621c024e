"""``fundledger check``: the nightly run over the whole ledger, attested in it.

Steps:
  1. fix what is checked, in one read transaction: the tree size and root at the start (the run
     names them), a replay of those entries (``ledger/replay.py``) and the projection tables
     against it. Every row that differs is a fatal ``STATE-ROW`` finding (table, key, column);
     every entry the rules of its version refuse, a fatal finding of its rule (with its seq); a
     rule added after an entry's version, a warning. The digest of the projection rows checked
     (``docs/format.md`` §10) is what the run attests;
  2. Great Expectations: the ``nightly`` checkpoint, one custom SQL expectation per rule file,
     inside the database, with Data Docs (``checks/gx_project.py``);
  3. pandera: the same rules over projected frames (``checks/frames.py``);
  4. one verdict: the two engines must name the same (rule, subject) pairs; every pair only one
     of them names is a fatal ``CHECK-ENGINES`` finding (one engine is wrong, or the database moved
     under the run);
  5. write ``findings.json`` (the cli.md shape, with what was checked), ``findings.csv`` and
     ``index.html``: a page without scripts (GX's own index needs its CDN scripts to list
     anything) with every rule, what it found, and links to GX's validation pages;
  6. append a ``check.run`` entry signed by an enrolled checks key: suite version, tree size and
     root, the projections' digest, counts by rule and severity, the SHA-256 of findings.json,
     each engine's count.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from checks.sqlrules import RULES_DIR, SQL_RULES
from contracts.rules import RULES
from ledger import db
from ledger.findings import FATAL, Finding, findings_to_csv, findings_to_json
from ledger.keys import Signer
from ledger.replay import STATE_ROW, STATE_ROW_MESSAGE, entry_batches, replaying
from ledger.store import Item, Ledger, Receipt
from ledger.tree import Tree, conn_size

__all__ = ["NightlyRun", "SUITE_VERSION", "run_nightly"]


def _suite_version() -> str:
    """The rules' identity: a digest of every rule file and of the pandera engine's source."""
    h = hashlib.sha256()
    for path in [*sorted(RULES_DIR.glob("*.sql")), Path(__file__).with_name("frames.py")]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"nightly-{len(SQL_RULES)}-rules-{h.hexdigest()[:16]}"


SUITE_VERSION = _suite_version()


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


def _index_html(report: dict[str, Any], findings: tuple[Finding, ...], docs: Path, out: Path) -> str:
    """The run's page: what was checked, every rule with its count, every finding, GX's pages."""
    from html import escape

    found = Counter(f.rule for f in findings)
    rules = [(r.rule, r.severity, f"checks/rules/{r.name}.sql", r.what) for r in SQL_RULES]
    rules.append(("CHECK-ENGINES", RULES["CHECK-ENGINES"].severity, "checks/nightly.py", RULES["CHECK-ENGINES"].message))
    rules.append((STATE_ROW, FATAL, "ledger/replay.py", STATE_ROW_MESSAGE))
    pages = sorted(docs.parent.glob("validations/*/*/*/*.html"))
    rows = "".join(f"<tr class='{'failed' if found[r] else 'passed'}'><td>{escape(r)}</td><td>{sev}</td>"
                   f"<td>{'failed' if found[r] else 'passed'}</td><td>{found[r]}</td><td>{escape(what)}</td>"
                   f"<td>{escape(src)}</td></tr>" for r, sev, src, what in rules)
    items = "".join(f"<tr><td>{escape(f.rule)}</td><td>{f.severity}</td>"
                    f"<td>{escape(' '.join(f'{k}={v}' for k, v in f.subject))}</td><td>{escape(f.expected or '')}</td>"
                    f"<td>{escape(f.actual or '')}</td><td>{escape(f.difference or '')}</td></tr>" for f in findings)
    links = "".join(f"<li><a href='{escape(str(p.relative_to(out)))}'>{escape(p.stem)}</a></li>" for p in pages)
    return (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>fundledger nightly checks</title>"
            f"<style>body{{font-family:sans-serif;margin:2em}}td,th{{border:1px solid #ccc;padding:4px}}"
            f"table{{border-collapse:collapse}}.failed{{background:#fdd}}</style></head><body>"
            f"<h1>Nightly checks of {escape(report['origin'])}</h1>"
            f"<p>Tree size {report['tree_size']}, root <code>{report['root']}</code>; projections SHA-256 "
            f"<code>{report['projections_sha256']}</code>; suite {escape(report['suite_version'])}; "
            f"replay {report['engines']['replay']}, Great Expectations {report['engines']['great_expectations']}, "
            f"pandera {report['engines']['pandera']} findings.</p>"
            f"<h2>Rules</h2><table id='rules'><tr><th>rule</th><th>severity</th><th>status</th><th>findings</th>"
            f"<th>what</th><th>source</th></tr>{rows}</table>"
            f"<h2>Findings</h2><table id='findings'><tr><th>rule</th><th>severity</th><th>subject</th><th>expected</th>"
            f"<th>actual</th><th>difference</th></tr>{items}</table>"
            f"<h2>Great Expectations validation results (Data Docs)</h2><ul>{links}</ul></body></html>\n")


def _state(ledger: Ledger) -> tuple[int, bytes, str, list[Finding]]:
    """1. In one read transaction: the tree size and root, and the projections against a replay of
    those entries; the findings (refused entries, rules added after the fact, rows that differ)."""
    with db.read_tx(ledger.engine) as conn, replaying(ledger.contracts) as replayer:
        size = conn_size(conn)
        root = Tree(conn).root(size)
        for batch in entry_batches(conn, size):
            replayer.feed(batch)
        replayed = replayer.finish()
        comparison = replayer.compare(conn)
    return size, root, comparison.digest, [*replayed.refused, *replayed.late, *comparison.differences]


def run_nightly(ledger: Ledger, out: Path, signer: Signer | None, *, record: bool = True,
                progress: Callable[[int], None] | None = None) -> NightlyRun:
    """The run, in the steps above; ``progress`` is told of each check's end (3 steps)."""
    from checks.frames import run_pandera
    from checks.gx_project import run_gx

    out.mkdir(parents=True, exist_ok=True)
    # 1. what is checked: the projections re-derived from the entries
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
    report = {"suite_version": SUITE_VERSION, "tree_size": size, "root": root.hex(), "origin": ledger.origin,
              "projections_sha256": digest_rows, "engines": engines, "findings": findings_to_json(findings)}
    data = (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (out / "findings.json").write_bytes(data)
    (out / "findings.csv").write_text(findings_to_csv(findings), encoding="utf-8")
    (out / "index.html").write_text(_index_html(report, findings, docs, out), encoding="utf-8")
    # 6. the attestation
    receipt = None
    if record:
        if signer is None:
            raise ValueError("a recorded run needs the checks key")
        counts: dict[str, dict[str, int]] = {}
        for (rule, severity), n in sorted(Counter((f.rule, f.severity) for f in findings).items()):
            counts.setdefault(rule, {})[severity] = n
        digest = hashlib.sha256(data).hexdigest()
        body: dict[str, Any] = {"suite_version": SUITE_VERSION, "tree_size": size, "root": root.hex(),
                                "projections_sha256": digest_rows, "counts": counts, "findings_sha256": digest,
                                "engines": engines}
        (receipt,) = ledger.append(signer, [Item("check.run", f"check.run:{size}:{digest[:16]}", body)])
    return NightlyRun(tree_size=size, root=root, projections_sha256=digest_rows, findings=findings,
                      replay_count=len(state), gx_count=len(gx), pandera_count=len(pd), docs=docs,
                      report=out / "findings.json", receipt=receipt)

