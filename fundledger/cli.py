"""The ``fundledger`` command line (click). Thin commands: parse options, call one library
function, render, return the documented exit code (``docs/cli.md``, the README).

It sits above every package: it opens each ledger with the contracts (``contracts.api.CONTRACTS``,
through the interface of ``ledger/interface.py``) and wires in the nightly checks.

Heavy libraries (pandas, pandera, Great Expectations) are never imported here at module level,
so that ``fundledger post`` stays fast; the commands that need them import them inside.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click
import orjson

from contracts.api import CONTRACTS
from ledger.errors import EnvironmentProblem, Error, InputError, IntegrityError
from ledger.findings import FATAL, WARNING, findings_to_json, findings_to_text
from ledger.kinds import registry
from ledger.suites import SUITES

__all__ = ["cli", "main"]

DEFAULT_DB = "sqlite:///fundledger.db"
KINDS = registry(CONTRACTS.kinds)  # every kind a ledger of fundledger knows
SUITE_NAMES = tuple(SUITES)


def _open(db_url: str) -> Any:
    """The ledger in ``db_url``, with fundledger's contracts."""
    from ledger.store import Ledger

    return Ledger.open(db_url, CONTRACTS)


def _json_line(obj: Any) -> None:
    click.echo(orjson.dumps(obj).decode())


def _render_error(e: Error, as_json: bool) -> None:
    if as_json:
        payload = e.as_dict() if hasattr(e, "as_dict") else {"ok": False, "error": e.message}
        payload.update({"exit": e.exit_code})
        if e.findings:
            payload["findings"] = findings_to_json(e.findings)
        _json_line(payload)
    else:
        click.echo(f"fundledger: {e.message}", err=True)
        if e.findings:
            click.echo(findings_to_text(e.findings), err=True)


def command(group: click.Group, name: str | None = None, *, db: bool = True) -> Callable:
    """Register a command with the common ``--db`` and ``--json`` options and one error handler."""

    def wrap(fn: Callable[..., int | None]) -> click.Command:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            as_json = kwargs.get("as_json", False)
            try:
                code = fn(*args, **kwargs) or 0
            except BrokenPipeError:  # the reader (head, less) went away: what was done is done
                _stdout_gone()
                code = 0
            except Error as e:
                _render_error(e, as_json)
                code = e.exit_code
            except Exception as e:
                # a database error that no layer below turned into an Error, from SQLAlchemy or from the
                # driver itself; they are looked up, not imported, so that commands that need no
                # database (verify --bundle) never load them
                if not isinstance(e, _database_errors()):
                    raise
                orig = getattr(e, "orig", None) or e
                err = EnvironmentProblem(f"database error: {(str(orig).strip().splitlines() or [type(orig).__name__])[0]}")
                _render_error(err, as_json)
                code = err.exit_code
            click.get_current_context().exit(code)

        run = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(run)
        if db:
            run = click.option("--db", "db_url", envvar="FUNDLEDGER_DB", default=DEFAULT_DB, show_default=True,
                               help="Database URL (else FUNDLEDGER_DB).")(run)
        return group.command(name)(run)

    return wrap


def _database_errors() -> tuple[type[BaseException], ...]:
    """The database errors of the libraries this process has loaded."""
    found = [getattr(sys.modules.get("sqlalchemy.exc"), "DBAPIError", None),
             getattr(sys.modules.get("sqlite3"), "Error", None), getattr(sys.modules.get("psycopg"), "Error", None)]
    return tuple(cls for cls in found if cls is not None)


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal (stderr); nothing in pipes and cron."""
    if not sys.stderr.isatty() or total <= 0:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fundledger")
def cli() -> None:
    """fundledger: an append-only, hash-chained, signed ledger for public funds."""


# -- init / migrate ----------------------------------------------------------------------------
@command(cli)
@click.option("--admin-key", required=True, type=click.Path(dir_okay=False), help="Admin public key (PEM .pub).")
@click.option("--log-key", required=True, type=click.Path(dir_okay=False), help="Log private key (signs checkpoints).")
@click.option("--origin", help="The log's origin name (C2SP), e.g. audit.example.gov.cn/chaoyang-funds.")
@click.option("--suite", "suite_name", type=click.Choice(SUITE_NAMES), default="ed25519-sha256", show_default=True,
              help="The algorithms of every hash and signature of the ledger (pinned by the genesis).")
def init(admin_key: str, log_key: str, origin: str | None, suite_name: str, db_url: str, as_json: bool) -> int:
    """Apply migrations and write the genesis entry pinning the suite and the admin and log keys."""
    from ledger.keys import load_private, load_public
    from ledger.store import init_ledger, validate_origin
    from ledger.suites import suite_named

    if origin is not None:
        validate_origin(origin)
    suite, admin, log = suite_named(suite_name), load_public(admin_key), load_private(log_key)
    for what, alg in (("--admin-key", admin.alg), ("--log-key", log.public.alg)):
        if alg != suite.alg:
            raise InputError(f"{what} is an {alg} key; a {suite.name} ledger needs {suite.alg} keys "
                             f"(`fundledger keys new --suite {suite.name}`)")
    result = init_ledger(db_url, admin, log, origin=origin, log_key_path=str(Path(log_key).resolve()))
    if as_json:
        _json_line({"ok": True, "created": result.created, "origin": result.origin, "genesis": result.genesis_hash,
                    "admin_key": result.admin_kid, "log_key": result.log_kid})
    else:
        state = "initialised" if result.created else "already initialised with these keys"
        click.echo(f"ledger {result.origin} {state}; genesis {result.genesis_hash}")
    return 0


@command(cli)
def migrate(db_url: str, as_json: bool) -> int:
    """Apply pending schema migrations (``alembic upgrade head``)."""
    from ledger import db

    engine = db.make_engine(db_url)
    db.apply_migrations(engine)
    rev = db.schema_revision(engine)
    _json_line({"ok": True, "revision": rev}) if as_json else click.echo(f"schema at revision {rev}")
    return 0


# -- keys --------------------------------------------------------------------------------------
@cli.group()
def keys() -> None:
    """Create, enroll, revoke and list signing keys."""


@command(keys, "new", db=False)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Private key path (0600); PATH.pub too.")
@click.option("--suite", "suite_name", type=click.Choice(SUITE_NAMES), default="ed25519-sha256", show_default=True,
              help="The suite of the ledger the key is for: an Ed25519 key, or an SM2 key for sm2-sm3.")
def keys_new(out: str, suite_name: str, as_json: bool) -> int:
    """Write a new private key (Ed25519, or SM2 for --suite sm2-sm3) to OUT (0600) and its public key to OUT.pub."""
    from ledger.keys import write_new_key
    from ledger.suites import suite_named

    pub = write_new_key(Path(out), suite_named(suite_name))
    _json_line({"ok": True, "kid": pub.kid, "private": out, "public": f"{out}.pub"}) if as_json else click.echo(pub.kid)
    return 0


@command(keys, "enroll")
@click.argument("pub", type=click.Path(dir_okay=False))
@click.option("--name", required=True, help="Who holds the key (person or system).")
@click.option("--role", required=True, type=click.Choice(["admin", "poster", "auditor", "checks"]))
@click.option("--key", "admin_key", required=True, type=click.Path(dir_okay=False), help="Admin private key.")
def keys_enroll(pub: str, name: str, role: str, admin_key: str, db_url: str, as_json: bool) -> int:
    """Enroll the public key PUB with a role, by an admin-signed key.enroll entry."""
    from ledger.keys import load_private, load_public
    from ledger.store import enroll_item

    return _append_and_print(db_url, load_private(admin_key), [enroll_item(load_public(pub), name, role)], as_json)


@command(keys, "revoke")
@click.argument("kid")
@click.option("--reason", required=True, help="Why the key is revoked (recorded in the ledger).")
@click.option("--key", "admin_key", required=True, type=click.Path(dir_okay=False), help="Admin private key.")
def keys_revoke(kid: str, reason: str, admin_key: str, db_url: str, as_json: bool) -> int:
    """Revoke key KID by an admin-signed key.revoke entry; later postings by it are refused."""
    from ledger.keys import load_private
    from ledger.store import revoke_item

    return _append_and_print(db_url, load_private(admin_key), [revoke_item(kid, reason)], as_json)


@command(keys, "rotate")
@click.option("--role", required=True, type=click.Choice(["log", "admin"]), help="The role whose key is replaced.")
@click.option("--old", "old_kid", help="The key id replaced (default for --role log: the log key in force).")
@click.option("--new", "new_key", required=True, type=click.Path(dir_okay=False),
              help="The new key's private key file (it endorses the rotation; for log, later checkpoints use it).")
@click.option("--endorse", "endorsers", multiple=True, type=click.Path(dir_okay=False),
              help="A private key that endorses: the log key replaced, or (when it is lost) a second admin's. Repeatable.")
@click.option("--reason", required=True, help="Why the key is replaced (recorded in the ledger).")
@click.option("--key", "admin_key", required=True, type=click.Path(dir_okay=False), help="Admin private key (posts it).")
def keys_rotate(role: str, old_kid: str | None, new_key: str, endorsers: tuple[str, ...], reason: str, admin_key: str,
                db_url: str, as_json: bool) -> int:
    """Replace a log or admin key by a new one (key.rotate): the old key is revoked, the new takes its role.

    A log key is replaced with the endorsement of the old log key (--endorse OLD_LOG_PRIV), or, when
    it is lost, of a second admin (--endorse OTHER_ADMIN_PRIV); the new key always endorses.
    """
    from ledger.keys import load_private
    from ledger.store import LOG_KEY_SETTING, rotate_item

    ledger = _open(db_url)
    if old_kid is None:
        if role != "log":
            raise InputError("--old KID is required to rotate an admin key")
        (old_kid,) = [k.kid for k in ledger.keys() if k.role == "log" and k.revoked_seq is None]
    new = load_private(new_key)
    item = rotate_item(ledger.origin, role, old_kid, new, [load_private(e) for e in endorsers], reason)
    code = _append_and_print(db_url, load_private(admin_key), [item], as_json)
    if role == "log":  # `checkpoint` and `export` now sign with the new key
        ledger.put_setting(LOG_KEY_SETTING, str(Path(new_key).resolve()))
    return code


@command(keys, "list")
def keys_list(db_url: str, as_json: bool) -> int:
    """List enrolled keys with their roles and the seqs that enrolled and revoked them."""

    rows = _open(db_url).keys()
    if as_json:
        _json_line({"keys": [{"kid": k.kid, "role": k.role, "name": k.name, "enrolled_seq": k.enrolled_seq,
                              "revoked_seq": k.revoked_seq} for k in rows]})
        return 0
    click.echo(f"{'kid':<42} {'role':<8} {'enrolled':>8} {'revoked':>8}  name")
    for k in rows:
        revoked = "" if k.revoked_seq is None else str(k.revoked_seq)
        click.echo(f"{k.kid:<42} {k.role:<8} {k.enrolled_seq:>8} {revoked:>8}  {k.name}")
    return 0


def _append_and_print(db_url: str, signer: Any, items: list, as_json: bool, *, dry_run: bool = False) -> int:

    posted = _open(db_url).post(signer, items, dry_run=dry_run)
    for r in posted.receipts:
        _json_line(r.as_dict())
    if posted.warnings:  # reported on stderr: stdout stays one JSON line per entry
        if as_json:
            click.echo(orjson.dumps({"warnings": findings_to_json(posted.warnings)}).decode(), err=True)
        else:
            click.echo(findings_to_text(posted.warnings), err=True)
    return 0


# -- post --------------------------------------------------------------------------------------
@command(cli)
@click.argument("file", default="-")
@click.option("--key", required=True, type=click.Path(dir_okay=False), help="Poster's private key.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True)
@click.option("--kind", help="With --format csv|xlsx: the kind every row is (see the README's column mapping).")
@click.option("--sheet", help="With --format xlsx: the sheet (else the first).")
@click.option("--dry-run", is_flag=True, help="Check everything, append nothing.")
@click.option("--stream", is_flag=True, help="Long-lived: one posting per line, one JSON answer per posting.")
def post(file: str, key: str, fmt: str, kind: str | None, sheet: str | None, dry_run: bool, stream: bool, db_url: str,
         as_json: bool) -> int:
    """Append one posting from FILE (JSON Lines; - for stdin): all of it or nothing.

    Prints one JSON line per entry: {"idem", "seq", "hash", "status"}. With --stream, each line of
    FILE is a posting (an entry, or an array of entries), answered by one JSON line as it commits.
    """
    from ledger.inputs import parse_lines
    from ledger.keys import load_private

    if stream:
        if fmt != "jsonl":
            raise InputError("--stream reads JSON Lines")
        return _stream(file, load_private(key), db_url, dry_run)
    if fmt != "jsonl":
        from contracts.sheets import read_sheet
        from contracts.summaries import StageIds
        from ledger import db

        if not kind or file == "-":
            raise InputError(f"--format {fmt} needs a FILE and --kind (the kind each row is)")
        ledger = _open(db_url)
        with db.read_tx(ledger.engine) as conn:  # a decision sheet names its stages: the workflows say their ids
            items = read_sheet(Path(file), fmt, kind, sheet, stages=StageIds(conn))
        return _append_and_print(db_url, load_private(key), items, as_json, dry_run=dry_run)
    if file == "-":
        data, source = sys.stdin.buffer.read(), "stdin"
    else:
        try:
            data, source = Path(file).read_bytes(), file
        except FileNotFoundError:
            raise InputError(f"{file}: no such file; nothing was appended") from None
        except OSError as e:
            raise InputError(f"{file}: cannot be read ({e.strerror}); nothing was appended") from None
    items = parse_lines(data.splitlines(), source, kinds=KINDS)
    return _append_and_print(db_url, load_private(key), items, as_json, dry_run=dry_run)


def _stream(file: str, signer: Any, db_url: str, dry_run: bool) -> int:
    from ledger.stream import stream_postings

    ledger = _open(db_url)
    CONTRACTS.prepare([])  # pandas and pandera load now, not on the first posting's clock
    importlib.import_module("contracts.engine")  # and the rules

    def answer(obj: dict[str, Any]) -> None:
        sys.stdout.write(orjson.dumps(obj).decode() + "\n")
        sys.stdout.flush()  # each answer as soon as its posting is committed

    try:
        source = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115 (closed below)
    except OSError as e:
        raise InputError(f"{file}: cannot be read ({e.strerror}); nothing was appended") from None
    with source:
        return stream_postings(ledger, signer, source, answer, dry_run=dry_run)


# -- policy ----------------------------------------------------------------------------------
@cli.group()
def policy() -> None:
    """The policy catalogue: publish a catalogue file as a versioned policy.publish entry."""


@command(policy, "publish")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--key", required=True, type=click.Path(dir_okay=False), help="Poster's private key.")
def policy_publish(file: str, key: str, db_url: str, as_json: bool) -> int:
    """Publish the catalogue FILE (amounts in *_wan) as the policy's next version."""
    from contracts.catalogue import load_file
    from ledger.keys import load_private
    from ledger.store import Item

    try:
        body = load_file(Path(file))
    except (OSError, ValueError) as e:
        raise InputError(f"{file}: {e}") from None
    item = Item("policy.publish", f"policy:{body['policy']}:v{body['version']}", body)
    return _append_and_print(db_url, load_private(key), [item], as_json)


# -- calendar -------------------------------------------------------------------------------
@cli.group()
def calendar() -> None:
    """China's working-day calendars, published in the ledger: the notice rules count with them."""


@command(calendar, "publish")
@click.option("--year", required=True, type=int, help="The year the calendar covers.")
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="JSON {holidays, workdays, document[, version]} as the State Council's notice gives them; "
                   "without it, chinese-calendar's (for a year it knows).")
@click.option("--key", required=True, type=click.Path(dir_okay=False), help="Poster's private key.")
def calendar_publish(year: int, path: str | None, key: str, db_url: str, as_json: bool) -> int:
    """Publish YEAR's holidays and adjusted workdays as a calendar.publish entry (version 1 unless the file says)."""
    from contracts.workdays import package_calendar
    from ledger.canonical import parse_json
    from ledger.keys import load_private
    from ledger.store import Item

    if path is None:
        try:
            body = package_calendar(year)
        except LookupError as e:
            raise InputError(f"{e}; nothing was appended") from None
    else:
        try:
            body = parse_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise InputError(f"{path}: not a JSON calendar ({e}); nothing was appended") from None
        if not isinstance(body, dict) or body.setdefault("year", year) != year:
            raise InputError(f"{path}: a calendar object for {year}; nothing was appended")
        body.setdefault("version", 1)
    item = Item("calendar.publish", f"calendar:{year}:v{body['version']}", body)
    return _append_and_print(db_url, load_private(key), [item], as_json)


# -- verify ----------------------------------------------------------------------------------
@command(cli)
@click.option("--checkpoint", "notes", multiple=True, type=click.Path(dir_okay=False),
              help="A checkpoint note kept earlier (repeatable): the ledger must extend it.")
@click.option("--bundle", type=click.Path(file_okay=False), help="Check an offline bundle instead of a database.")
@click.option("--log-vkey", help="With --bundle: the log verifier key you pinned; the bundle must be under it.")
@click.option("--no-replay", is_flag=True,
              help="Skip step 8 (the derived state re-derived from the entries): a quick structural check.")
@click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="the cores",
              help="Processes checking posting signatures (1: in order, in this process).")
def verify(notes: tuple[str, ...], bundle: str | None, log_vkey: str | None, no_replay: bool, workers: int,
           db_url: str, as_json: bool) -> int:
    """Check the whole chain, every posting signature, the keys in force, the index columns, the
    stored Merkle nodes, consistency with every checkpoint given, and that every projection table
    is what the entries give under the rules each posting recorded; or an offline bundle."""
    if bundle is not None:
        from ledger.bundle import verify_bundle

        if notes:
            raise InputError("--checkpoint goes with a database; a bundle carries its own checkpoint")
        if not Path(bundle).is_dir():
            raise InputError(f"{bundle}: no such directory")
        with progress(0, "verifying") as update:
            result = verify_bundle(Path(bundle), kinds=KINDS, log_vkey=log_vkey, progress=update, workers=workers)
        _print_chain(result, as_json)
        return 0
    from ledger import db
    from ledger.store import read_head
    from ledger.verify import verify_ledger

    checkpoints = [(path, _read_checkpoint(path)) for path in notes]
    engine = db.make_engine(db_url)
    db.check_schema(engine)
    with db.read_tx(engine) as conn:
        total = read_head(conn).size
    with progress(total, "verifying") as update:
        verified = verify_ledger(engine, CONTRACTS, progress=update, checkpoints=checkpoints, replay=not no_replay,
                                 workers=workers)
    if as_json:
        _json_line(verified.as_dict())
        return 0
    _print_chain(verified.chain, as_json)
    if verified.replay is None:
        click.echo("derived state: not checked (--no-replay)")
        return 0
    replay, comparison = verified.replay, verified.comparison
    versions = ", ".join(f"version {v}: {n}" for v, n in replay.versions.items()) or "none"
    click.echo(f"derived state: {replay.entries} entries replayed under the contracts each posting recorded "
               f"(postings by contracts {versions}); {len(replay.warnings)} warnings, as at posting")
    click.echo(f"projections: {comparison.rows} rows in {comparison.tables} tables equal the replay; "
               f"SHA-256 {comparison.digest}")
    for f in replay.late:
        click.echo(f"rule added after the fact: {findings_to_text([f])}", err=True)
    return 0


def _read_checkpoint(path: str):
    from ledger.note import NoteError, parse_checkpoint

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot be read as a checkpoint note ({e})") from None
    try:
        return parse_checkpoint(text)
    except NoteError as e:
        raise IntegrityError(f"{path}: not a valid checkpoint note: {e}") from None


def _print_chain(result, as_json: bool) -> None:
    report = result.as_dict()
    if as_json:
        _json_line(report)
        return
    click.echo(f"ok: {result.entries} entries in {result.postings} postings verified "
               "(chain, hashes, canonical bytes, index columns, signatures, keys, Merkle tree)")
    click.echo(f"origin {result.origin}; suite {result.suite.name}; tree size {result.entries}; root {result.root.hex()}")
    click.echo(f"head {result.head_hash}; {report['keys_in_force']} keys in force")
    for cp in result.checkpoints:
        cosigners = ", ".join(cp["cosigned_by"]) or "no cosignature"
        click.echo(f"checkpoint {cp['checkpoint']}: size {cp['tree_size']} is consistent; cosigned by {cosigners}")


# -- replay --------------------------------------------------------------------------------------
@command(cli)
@click.option("--bundle", required=True, type=click.Path(file_okay=False), help="The offline bundle to rebuild from.")
@click.option("--log-vkey", help="The log verifier key you pinned; the bundle must be under it.")
def replay(bundle: str, log_vkey: str | None, db_url: str, as_json: bool) -> int:
    """Build a full ledger database (--db, which must hold no ledger) from an offline bundle alone,
    after verifying it: the auditor's own copy, for report, trail, prove and check."""
    from ledger.replay import replay_bundle

    if not Path(bundle).is_dir():
        raise InputError(f"{bundle}: no such directory")
    with progress(0, "replaying") as update:
        rebuilt = replay_bundle(Path(bundle), db_url, CONTRACTS, log_vkey=log_vkey, progress=update)
    chain, replayed = rebuilt.chain, rebuilt.replay
    if as_json:
        _json_line({"ok": True, "origin": chain.origin, "entries": replayed.entries, "root": chain.root.hex(),
                    "warnings": len(replayed.warnings), "rules_added_after": [f.as_dict() for f in replayed.late]})
    else:
        click.echo(f"bundle verified: {chain.entries} entries of {chain.origin}, root {chain.root.hex()}")
        click.echo(f"replayed into {db_url}: {replayed.entries} entries, {replayed.postings} postings, every "
                   f"projection derived from them; {len(replayed.warnings)} warnings, as at posting")
    return 0


# -- checkpoints and proofs --------------------------------------------------------------------
def _signer_from(option: str | None, env_var: str, setting: str, ledger: Any) -> Any:
    """A key given by option, else by environment variable, else by the path the ledger recorded."""
    from ledger.keys import load_private

    path = option or os.environ.get(env_var) or ledger.setting(setting)
    if not path:
        raise EnvironmentProblem(f"no key: give --key, set {env_var}, or init the ledger with one")
    return load_private(path)


@command(cli)
@click.option("--key", "log_key", type=click.Path(dir_okay=False), help="Log private key (else FUNDLEDGER_LOG_KEY, else init's).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the note here instead of stdout.")
def checkpoint(log_key: str | None, out: str | None, db_url: str, as_json: bool) -> int:
    """Sign a C2SP checkpoint of the current tree with the log key and record it in the ledger."""
    from ledger.checkpoints import issue_checkpoint
    from ledger.store import LOG_KEY_SETTING

    ledger = _open(db_url)
    issued = issue_checkpoint(ledger, _signer_from(log_key, "FUNDLEDGER_LOG_KEY", LOG_KEY_SETTING, ledger))
    if out:
        Path(out).write_text(issued.note, encoding="utf-8")
    if as_json:
        _json_line({"tree_size": issued.size, "root": issued.root.hex(), "note": issued.note, "recorded": issued.receipt.as_dict()})
    elif not out:
        click.echo(issued.note, nl=False)
    else:
        click.echo(f"checkpoint of tree size {issued.size} written to {out}; recorded at seq {issued.receipt.seq}")
    return 0


@cli.group()
def prove() -> None:
    """RFC 9162 inclusion and consistency proofs, as JSON."""


@command(prove, "inclusion")
@click.argument("seq", type=int)
@click.option("--size", type=int, help="Tree size to prove against (default: the current size).")
def prove_inclusion_cmd(seq: int, size: int | None, db_url: str, as_json: bool) -> int:
    """Prove that entry SEQ is in the tree of SIZE entries."""
    from ledger.checkpoints import prove_inclusion

    _json_line(prove_inclusion(_open(db_url), seq, size))
    return 0


@command(prove, "consistency")
@click.argument("old_size", type=int)
@click.argument("new_size", type=int)
def prove_consistency_cmd(old_size: int, new_size: int, db_url: str, as_json: bool) -> int:
    """Prove that the tree of NEW_SIZE entries extends the tree of OLD_SIZE entries."""
    from ledger.checkpoints import prove_consistency

    _json_line(prove_consistency(_open(db_url), old_size, new_size))
    return 0


@command(keys, "vkey")
def keys_vkey(db_url: str, as_json: bool) -> int:
    """Print the log's C2SP verifier key string (from the genesis), for auditors to pin."""
    from ledger.checkpoints import log_verifier_key

    vkey = log_verifier_key(_open(db_url))
    _json_line({"vkey": vkey}) if as_json else click.echo(vkey)
    return 0


# -- export ----------------------------------------------------------------------------------
@command(cli)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="A new directory for the bundle.")
@click.option("--key", "log_key", type=click.Path(dir_okay=False), help="Log private key (else FUNDLEDGER_LOG_KEY, else init's).")
def export(out: str, log_key: str | None, db_url: str, as_json: bool) -> int:
    """Write the offline audit bundle: entries, log key, a fresh checkpoint, a signed manifest."""
    from ledger.bundle import export_bundle
    from ledger.store import LOG_KEY_SETTING

    ledger = _open(db_url)
    with progress(ledger.head().size, "exporting") as update:
        done = export_bundle(ledger, Path(out), _signer_from(log_key, "FUNDLEDGER_LOG_KEY", LOG_KEY_SETTING, ledger),
                             progress=update)
    if as_json:
        _json_line({"ok": True, "out": out, "tree_size": done.size, "root": done.root, "files": list(done.files)})
    else:
        click.echo(f"bundle of {done.size} entries (root {done.root}) written to {out}/")
    return 0


# -- witness ---------------------------------------------------------------------------------
@cli.group()
def witness() -> None:
    """The audit bureau's witness: cosign checkpoints that extend the last one it cosigned."""


@command(witness, "cosign")
@click.argument("note", type=click.Path(dir_okay=False))
@click.option("--key", "auditor_key", required=True, type=click.Path(dir_okay=False), help="The witness's private key.")
@click.option("--state", required=True, type=click.Path(file_okay=False), help="The witness's state directory.")
@click.option("--log-vkey", help="The log's verifier key (`fundledger keys vkey`); pinned in STATE on first use.")
@click.option("--name", help="The cosigner name on the signature line (default: the key id).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the cosigned note here instead of stdout.")
def witness_cosign(note: str, auditor_key: str, state: str, log_vkey: str | None, name: str | None, out: str | None,
                   db_url: str, as_json: bool) -> int:
    """Check NOTE against the last checkpoint this witness cosigned and add a cosignature.

    Exit 3, and no cosignature, when NOTE does not extend it (a rollback or a rewritten history).
    """
    from ledger.keys import load_private
    from ledger.merkle import ProofError
    from ledger.witness import cosign_checkpoint

    try:
        text = Path(note).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{note}: cannot be read ({e})") from None

    def proofs(old: int, new: int) -> list[bytes]:
        from ledger.checkpoints import prove_consistency

        try:
            proof = prove_consistency(_open(db_url), old, new)
        except InputError as e:  # the database cannot even produce one
            raise ProofError(e.message) from None
        return [bytes.fromhex(h) for h in proof["path"]]

    def rotations(size: int) -> list[tuple[int, bytes, list[bytes]]]:
        """The ledger's key.rotate entries below ``size`` with their inclusion proofs (the witness checks both)."""
        from sqlalchemy import text

        from ledger import db
        from ledger.checkpoints import prove_inclusion

        ledger = _open(db_url)
        with db.read_tx(ledger.engine) as conn:
            found = [(r.seq, bytes(r.data)) for r in conn.execute(
                text("SELECT seq, data FROM entries WHERE kind = 'key.rotate' AND seq < :n ORDER BY seq"), {"n": size})]
        return [(seq, data, [bytes.fromhex(h) for h in prove_inclusion(ledger, seq, size)["path"]]) for seq, data in found]

    cosigned = cosign_checkpoint(text, load_private(auditor_key), Path(state), proofs=proofs, rotations=rotations,
                                 log_vkey=log_vkey, name=name)
    if out:
        Path(out).write_text(cosigned.text(), encoding="utf-8")
    if as_json:
        _json_line({"ok": True, "tree_size": cosigned.size, "note": cosigned.text()})
    elif not out:
        click.echo(cosigned.text(), nl=False)
    return 0


# -- trail -------------------------------------------------------------------------------------
@command(cli)
@click.option("--seq", type=int, help="Only the entry at this seq.")
@click.option("--kind", help="Only entries of this kind.")
@click.option("--idem", help="Only the entry with this idem.")
@click.option("--fund", help="Only entries of this fund (with --year: of this fund-year).")
@click.option("--year", type=int, help="Only entries of this year's funds.")
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

    ledger = _open(db_url)
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
@click.option("--year", required=True, type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html"]), default="table",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to a file (required for xlsx on a terminal).")
def report(which: str, fund: str, year: int, fmt: str, out: str | None, db_url: str, as_json: bool) -> int:
    """A fund-year as the seeds lay it out: execution, the review funnel, the performance table, or the
    public notice list (公示名单); HTML draws the awards by clause and the funnel as SVG."""
    from contracts import reports
    from ledger import db

    ledger = _open(db_url)
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

    ledger = _open(db_url)
    signer = None if no_record else _signer_from(checks_key, "FUNDLEDGER_CHECKS_KEY", CHECKS_KEY_SETTING, ledger)
    with progress(3, "checking (replay, Great Expectations, pandera)") as update:
        run = run_nightly(ledger, Path(out), signer, record=not no_record, progress=update)
    verdict = worst(run.findings)
    if as_json:
        _json_line({"ok": verdict != FATAL, "tree_size": run.tree_size, "root": run.root.hex(),
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


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="fundledger")
    except BrokenPipeError:  # a reader (head, less) went away: not an error of ours
        _stdout_gone()
        sys.exit(0)


def _stdout_gone() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
