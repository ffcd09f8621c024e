"""The commands that read the ledger for people: ``trail``, ``report``, ``check`` (the nightly run)
and ``demo``. They register on the ``fundledger`` group of ``fundledger/cli.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fundledger.audit import signer_from
from fundledger.cli import (
    SEQ,
    SUITE_NAMES,
    YEAR,
    cli,
    command,
    json_line,
    open_ledger,
    progress,
)
from ledger.errors import InputError
from ledger.findings import FATAL, WARNING, findings_to_json, findings_to_text
from ledger.suites import SUITES


# -- trail -------------------------------------------------------------------------------------
@command(cli)
@click.option("--seq", type=SEQ, help="Only the entry at this seq.")
@click.option("--kind", help="Only entries of this kind.")
@click.option("--idem", help="Only the entry with this idem.")
@click.option("--fund", help="Only entries of this fund (with --year: of this fund-year).")
@click.option("--year", type=YEAR, help="Only entries of this year's funds.")
@click.option("--clause", help="With --fund and --year: the entries behind this clause's figure.")
@click.option("--project", help="Only entries about this project.")
@click.option("--enterprise", help="Only entries about this enterprise's projects (credit code).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def trail(seq: int | None, kind: str | None, idem: str | None, fund: str | None, year: int | None,
          clause: str | None, project: str | None, enterprise: str | None, fmt: str, db_url: str, as_json: bool) -> int:
    """Every entry behind the filters, in order: its business date, posting time, poster, hash and a
    line in Chinese saying what it did (the full body with --format json|csv)."""
    from contracts.summaries import Describer
    from ledger import db
    from ledger.trail import render_trail

    ledger = open_ledger(db_url)
    names = {k.kid: k.name for k in ledger.keys()}
    seqs = None
    if any(v is not None for v in (fund, year, clause, project, enterprise)):
        if clause is not None and (fund is None or year is None):
            raise InputError("--clause needs --fund and --year: a clause's figure belongs to one fund-year")
        from contracts.figures import trail_seqs

        with db.read_tx(ledger.engine) as conn:
            seqs = trail_seqs(conn, fund=fund, year=year, clause=clause, project=project, enterprise=enterprise)
    rows = ledger.entries(seq=seq, kind=kind, idem=idem, seqs=seqs)
    with db.read_tx(ledger.engine) as conn:  # the policies a decision's stage is named from
        for chunk in render_trail(rows, names, "json" if as_json else fmt, Describer(conn, project)):
            click.echo(chunk, nl=False)
    return 0


# -- reports ---------------------------------------------------------------------------------
@command(cli)
@click.argument("which", type=click.Choice(["execution", "funnel", "performance", "notice"]))
@click.option("--fund", required=True, help="Fund code, e.g. chaoyang-hightech.")
@click.option("--year", required=True, type=YEAR)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to a file (required for xlsx on a terminal).")
def report(which: str, fund: str, year: int, fmt: str, out: str | None, db_url: str, as_json: bool) -> int:
    """A fund-year as the seeds lay it out: execution, the review funnel, the performance table, or the
    public notice list (公示名单); HTML draws the awards by clause and the funnel as SVG."""
    from contracts import reports
    from ledger import db

    ledger = open_ledger(db_url)
    build = {"execution": reports.execution_report, "funnel": reports.funnel_report,
             "performance": reports.performance_report, "notice": reports.notice_report}[which]
    with db.read_tx(ledger.engine) as conn:
        data = reports.render(build(conn, fund, year), "json" if as_json else fmt)
    if out:
        Path(out).write_bytes(data)
    elif fmt == "xlsx" and sys.stdout.isatty():
        raise InputError("an XLSX report goes to a file: give --out FILE.xlsx")
    else:
        sys.stdout.buffer.write(data)
    return 0


# -- the nightly run ----------------------------------------------------------------------------
@command(cli)
@click.option("--key", "checks_key", type=click.Path(dir_okay=False),
              help="Checks private key (else FUNDLEDGER_CHECKS_KEY, else the path the demo recorded).")
@click.option("--out", default="fundledger-checks", show_default=True, type=click.Path(file_okay=False),
              help="Directory for findings.json, findings.csv and the Data Docs (gx/uncommitted/data_docs/).")
@click.option("--no-record", is_flag=True,
              help="Append no check.run entry (an auditor's copy rebuilt by `replay --bundle`): the reports only.")
def check(checks_key: str | None, out: str, no_record: bool, db_url: str, as_json: bool) -> int:
    """The nightly run: the projections against a replay of the entries, then every rule in Great
    Expectations and in pandera; findings, Data Docs, a signed check.run entry."""
    from checks.nightly import run_nightly
    from ledger.findings import worst
    from ledger.store import CHECKS_KEY_SETTING

    ledger = open_ledger(db_url)
    signer = None if no_record else signer_from(checks_key, "FUNDLEDGER_CHECKS_KEY", CHECKS_KEY_SETTING, ledger)
    with progress(3, "checking (replay, Great Expectations, pandera)") as update:
        run = run_nightly(ledger, Path(out), signer, record=not no_record, progress=update)
    verdict = worst(run.findings)
    if as_json:
        json_line({"ok": verdict != FATAL, "tree_size": run.tree_size, "root": run.root.hex(),
                    "projections_sha256": run.projections_sha256, "findings": findings_to_json(run.findings), "report": str(run.report), "data_docs": str(run.docs),
                    "recorded": run.receipt.as_dict() if run.receipt else None})
    else:
        if run.findings:
            click.echo(findings_to_text(run.findings))
        counts = {s: sum(1 for f in run.findings if f.severity == s) for s in (FATAL, WARNING)}
        click.echo(f"checked tree size {run.tree_size} (root {run.root.hex()[:16]}…): {counts[FATAL]} fatal, "
                   f"{counts[WARNING]} warning; replay {run.replay_count}, Great Expectations {run.gx_count}, "
                   f"pandera {run.pandera_count}; projections SHA-256 {run.projections_sha256}")
        recorded = f"recorded at seq {run.receipt.seq}" if run.receipt else "not recorded (--no-record)"
        click.echo(f"findings: {run.report}; Data Docs: {run.docs}; {recorded}")
    return 1 if verdict == FATAL else 0


# -- demo --------------------------------------------------------------------------------------
@command(cli)
@click.option("--keys-dir", default="fundledger-keys", show_default=True, type=click.Path(file_okay=False))
@click.option("--suite", "suite_name", type=click.Choice(SUITE_NAMES), default="ed25519-sha256", show_default=True,
              help="The ledger's algorithms (sm2-sm3: SM2 signatures, SM3 hashes).")
def demo(keys_dir: str, suite_name: str, db_url: str, as_json: bool) -> int:
    """Create demo keys, initialise a ledger, post the bundled examples, verify, print the 2023 execution report."""
    from fundledger.demo import example_postings, run_demo

    total = sum(len(p.read_bytes().splitlines()) for p in example_postings())
    with progress(total, "posting the examples") as update:
        run_demo(db_url, Path(keys_dir), echo=click.echo, progress=update, suite=SUITES[suite_name])
    return 0
