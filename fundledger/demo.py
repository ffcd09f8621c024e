"""``fundledger demo``: the README's main job on a fresh machine.

Creates the keys a demo needs under ``./fundledger-keys/`` (0600; reused on a second run),
initialises the ledger (recording the log key's path like ``init``), enrolls a fund office and an
auditor, publishes the policy catalogue and the working-day calendars chinese-calendar knows, posts
the example notes and every example posting built
from the seed reports (``examples/<fund>-<year>/NN-*.jsonl``, in order; a posting named
``NN-*.refused.jsonl`` holds a seed's figures the contracts must refuse, and the demo fails if one is
appended), verifies the ledger and
prints the 2023 execution report of the Chaoyang high-tech fund. Run twice, it appends nothing
new: every posting comes back as ``duplicate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from contracts.api import CONTRACTS
from ledger import db
from ledger.errors import InputError, Rejected
from ledger.findings import Finding
from ledger.inputs import parse_lines
from ledger.keys import Signer, load_private, load_public, write_new_key
from ledger.store import CHECKS_KEY_SETTING, Item, Ledger, enroll_item, init_ledger
from ledger.suites import DEFAULT, Suite
from ledger.verify import verify_ledger

__all__ = ["EXAMPLES", "calendar_items", "example_postings", "run_demo"]

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
_DEMO_KEYS = ("admin", "log", "poster", "auditor", "checks")


def example_postings() -> list[Path]:
    """The example postings built from the seed reports, in the order they are posted."""
    return sorted(EXAMPLES.glob("*-*/[0-9][0-9]-*.jsonl"))


def calendar_items() -> list[Item]:
    """A ``calendar.publish`` for every year ``chinese-calendar`` knows, from 2004 on."""
    from contracts.workdays import package_calendar

    items, year = [], 2004
    while True:
        try:
            body = package_calendar(year)
        except LookupError:
            return items
        items.append(Item("calendar.publish", f"calendar:{year}:v1", body))
        year += 1


def _key(keys_dir: Path, name: str, suite: Suite) -> Signer:
    path = keys_dir / f"{name}.key"
    if not path.exists():
        write_new_key(path, suite)
    signer = load_private(path)
    if signer.suite is not suite:
        raise InputError(f"{path} is an {signer.suite.alg} key; a {suite.name} demo needs {suite.alg} keys: "
                         "give it another --keys-dir")
    return signer


def run_demo(db_url: str, keys_dir: Path, echo: Callable[[str], None],
             progress: Callable[[int], None] | None = None, suite: Suite = DEFAULT) -> list[Finding]:
    """Post the example data in a ledger of ``suite``, verify, print the 2023 execution report; the
    warnings the postings drew."""
    from contracts.catalogue import CATALOGUE_DIR, load_file
    from contracts.reports import execution_report, render

    signers = {name: _key(keys_dir, name, suite) for name in _DEMO_KEYS}
    result = init_ledger(db_url, load_public(keys_dir / "admin.key.pub"), signers["log"],
                         origin="fundledger.local/demo", log_key_path=str((keys_dir / "log.key").resolve()))
    echo(f"ledger {result.origin}: genesis {result.genesis_hash[:16]}… (keys in {keys_dir}/)")
    ledger = Ledger.open(db_url, CONTRACTS)
    ledger.append(signers["admin"], [enroll_item(signers["poster"].public, "朝阳园管委会 fund office", "poster"),
                                     enroll_item(signers["auditor"].public, "区审计局 audit bureau", "auditor"),
                                     enroll_item(signers["checks"].public, "数据质量 nightly checks", "checks")])
    ledger.put_setting(CHECKS_KEY_SETTING, str((keys_dir / "checks.key").resolve()))
    counts = {"appended": 0, "duplicate": 0}
    warnings: list[Finding] = []

    def post(items: list[Item]) -> None:
        posted = ledger.post(signers["poster"], items)
        for r in posted.receipts:
            counts[r.status] += 1
        warnings.extend(posted.warnings)

    policies = sorted((load_file(path) for path in CATALOGUE_DIR.glob("*.json")), key=lambda b: (b["policy"], b["version"]))
    for body in policies:  # each version after the one before it
        post([Item("policy.publish", f"policy:{body['policy']}:v{body['version']}", body)])
    post(calendar_items())  # every year chinese-calendar knows: the public notices count with them
    notes = EXAMPLES / "notes.jsonl"
    post(parse_lines(notes.read_bytes().splitlines(), str(notes), kinds=ledger.kinds))
    files = example_postings()
    refusals = []
    for path in files:
        items = parse_lines(path.read_bytes().splitlines(), str(path), kinds=ledger.kinds)
        if path.name.endswith(".refused.jsonl"):  # a seed's figures the contracts must refuse
            try:
                post(items)
            except Rejected as e:
                refusals.append(f"  {path.relative_to(EXAMPLES)}: refused, {e.findings[0].rule}: {e.message}")
            else:
                raise RuntimeError(f"{path} was appended, but the contracts must refuse it")
        else:
            post(items)
        if progress:  # over the example postings' entries
            progress(len(items))
    echo(f"posted {len(files)} example postings from the seed reports: {counts['appended']} entries appended, "
         f"{counts['duplicate']} duplicate, {len(warnings)} warnings, {len(refusals)} refused as the seeds require")
    for line in refusals:
        echo(line)
    verified = verify_ledger(db.make_engine(db_url), CONTRACTS)
    chain = verified.chain
    echo(f"verify: ok, {chain.entries} entries in {chain.postings} postings, root {chain.root.hex()[:16]}…; "
         f"the {verified.comparison.rows} projection rows equal a replay of the entries")
    echo("")
    with db.read_tx(ledger.engine) as conn:
        echo(render(execution_report(conn, "chaoyang-hightech", 2023), "table").decode().rstrip("\n"))
    return warnings
