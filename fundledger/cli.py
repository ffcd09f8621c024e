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
import traceback
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click
import orjson

from contracts.api import CONTRACTS
from contracts.fields import FIRST_YEAR, LAST_YEAR
from ledger.errors import EnvironmentProblem, Error, InputError
from ledger.findings import findings_to_json, findings_to_text
from ledger.kinds import registry
from ledger.suites import SUITES

__all__ = ["cli", "main"]

DEFAULT_DB = "sqlite:///fundledger.db"
# numbers a command line gives: a seq or a tree size fits entries.seq (a BIGINT), a year is a fund-year's;
# beyond, a usage error (exit 2), not the database's overflow
SEQ = click.IntRange(min=0, max=2**63 - 1)
YEAR = click.IntRange(min=FIRST_YEAR, max=LAST_YEAR)
KINDS = registry(CONTRACTS.kinds)  # every kind a ledger of fundledger knows
SUITE_NAMES = tuple(SUITES)


def open_ledger(db_url: str) -> Any:
    """The ledger in ``db_url``, with fundledger's contracts."""
    from ledger.store import Ledger

    return Ledger.open(db_url, CONTRACTS)


def json_line(obj: Any) -> None:
    click.echo(orjson.dumps(obj).decode())


def render_error(e: Error, as_json: bool) -> None:
    if as_json:
        payload = e.as_dict() if hasattr(e, "as_dict") else {"ok": False, "error": e.message}
        payload.update({"exit": e.exit_code})
        if e.findings:
            payload["findings"] = findings_to_json(e.findings)
        json_line(payload)
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
                render_error(e, as_json)
                code = e.exit_code
            except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                raise
            except Exception as e:
                # a database error that no layer below turned into an Error, from SQLAlchemy or from the
                # driver itself; they are looked up, not imported, so that commands that need no
                # database (verify --bundle) never load them
                if isinstance(e, _database_errors()):
                    orig = getattr(e, "orig", None) or e
                    err = EnvironmentProblem(f"database error: {(str(orig).strip().splitlines() or [type(orig).__name__])[0]}")
                    render_error(err, as_json)
                    code = err.exit_code
                else:
                    code = _internal_error(e, as_json)
            click.get_current_context().exit(code)

        run = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(run)
        if db:
            run = click.option("--db", "db_url", envvar="FUNDLEDGER_DB", default=DEFAULT_DB, show_default=True,
                               help="Database URL (else FUNDLEDGER_DB).")(run)
        return group.command(name)(run)

    return wrap


INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE: never one of the codes that say something about the input or the ledger


def _internal_error(e: Exception, as_json: bool) -> int:
    """An exception no layer turned into an :class:`Error`: a bug in fundledger. Its own exit code,
    so that no script takes a crash for a refusal (1) or a verdict on the ledger (3); the traceback
    on stderr, for the report of the bug. A posting's transaction was rolled back with it."""
    message = (f"internal error (a bug in fundledger, not a finding about the input or the ledger): "
               f"{type(e).__name__}: {e}")
    click.echo("".join(traceback.format_exception(e)).rstrip(), err=True)
    if as_json:
        json_line({"ok": False, "error": message, "exit": INTERNAL_ERROR})
    else:
        click.echo(f"fundledger: {message}", err=True)
    return INTERNAL_ERROR


def _database_errors() -> tuple[type[BaseException], ...]:
    """The database errors of the libraries this process has loaded."""
    found = [getattr(sys.modules.get("sqlalchemy.exc"), "DBAPIError", None),
             getattr(sys.modules.get("sqlite3"), "Error", None), getattr(sys.modules.get("psycopg"), "Error", None)]
    return tuple(cls for cls in found if cls is not None)


@contextmanager
def progress(total: int, label: str, then: str | None = None) -> Iterator[Callable[[int | None], None] | None]:
    """A progress bar on a terminal (stderr); nothing in pipes and cron. ``update(n)`` moves it on
    by n; ``update(None)`` ends it where it stands and starts another from 0, labelled ``then``:
    by default ``verify``'s check in order, after stretches that did not decide (a bar at 100 %
    would say the work was done); ``replay --bundle``'s replay, after the verification."""
    if not sys.stderr.isatty() or total <= 0:
        yield None
        return
    with ExitStack() as bars:
        bar = bars.enter_context(click.progressbar(length=total, label=label, file=sys.stderr))

        def update(n: int | None) -> None:
            nonlocal bar
            if n is None:
                bars.close()
                bar = bars.enter_context(click.progressbar(length=total, label=then or f"{label} again, in order",
                                                           file=sys.stderr))
            else:
                bar.update(n)

        yield update


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
        json_line({"ok": True, "created": result.created, "origin": result.origin, "genesis": result.genesis_hash,
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
    json_line({"ok": True, "revision": rev}) if as_json else click.echo(f"schema at revision {rev}")
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
    json_line({"ok": True, "kid": pub.kid, "private": out, "public": f"{out}.pub"}) if as_json else click.echo(pub.kid)
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

    return append_and_print(db_url, load_private(admin_key), [enroll_item(load_public(pub), name, role)], as_json)


@command(keys, "revoke")
@click.argument("kid")
@click.option("--reason", required=True, help="Why the key is revoked (recorded in the ledger).")
@click.option("--key", "admin_key", required=True, type=click.Path(dir_okay=False), help="Admin private key.")
def keys_revoke(kid: str, reason: str, admin_key: str, db_url: str, as_json: bool) -> int:
    """Revoke key KID by an admin-signed key.revoke entry; later postings by it are refused."""
    from ledger.keys import load_private
    from ledger.store import revoke_item

    return append_and_print(db_url, load_private(admin_key), [revoke_item(kid, reason)], as_json)


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

    ledger = open_ledger(db_url)
    if old_kid is None:
        if role != "log":
            raise InputError("--old KID is required to rotate an admin key")
        (old_kid,) = [k.kid for k in ledger.keys() if k.role == "log" and k.revoked_seq is None]
    new = load_private(new_key)
    item = rotate_item(ledger.origin, role, old_kid, new, [load_private(e) for e in endorsers], reason)
    code = append_and_print(db_url, load_private(admin_key), [item], as_json)
    if role == "log":  # `checkpoint` and `export` now sign with the new key
        ledger.put_setting(LOG_KEY_SETTING, str(Path(new_key).resolve()))
    return code


@command(keys, "list")
def keys_list(db_url: str, as_json: bool) -> int:
    """List enrolled keys with their roles and the seqs that enrolled and revoked them."""

    rows = open_ledger(db_url).keys()
    if as_json:
        json_line({"keys": [{"kid": k.kid, "role": k.role, "name": k.name, "enrolled_seq": k.enrolled_seq,
                              "revoked_seq": k.revoked_seq} for k in rows]})
        return 0
    click.echo(f"{'kid':<42} {'role':<8} {'enrolled':>8} {'revoked':>8}  name")
    for k in rows:
        revoked = "" if k.revoked_seq is None else str(k.revoked_seq)
        click.echo(f"{k.kid:<42} {k.role:<8} {k.enrolled_seq:>8} {revoked:>8}  {k.name}")
    return 0


def append_and_print(db_url: str, signer: Any, items: list, as_json: bool, *, dry_run: bool = False) -> int:

    posted = open_ledger(db_url).post(signer, items, dry_run=dry_run)
    for r in posted.receipts:
        json_line(r.as_dict())
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
        ledger = open_ledger(db_url)
        with db.read_tx(ledger.engine) as conn:  # a decision sheet names its stages: the workflows say their ids
            items = read_sheet(Path(file), fmt, kind, sheet, stages=StageIds(conn))
        return append_and_print(db_url, load_private(key), items, as_json, dry_run=dry_run)
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
    return append_and_print(db_url, load_private(key), items, as_json, dry_run=dry_run)


def _stream(file: str, signer: Any, db_url: str, dry_run: bool) -> int:
    from ledger.stream import stream_postings

    ledger = open_ledger(db_url)
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
    return append_and_print(db_url, load_private(key), [item], as_json)


# -- calendar -------------------------------------------------------------------------------
@cli.group()
def calendar() -> None:
    """China's working-day calendars, published in the ledger: the notice rules count with them."""


@command(calendar, "publish")
@click.option("--year", required=True, type=YEAR, help="The year the calendar covers.")
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
    return append_and_print(db_url, load_private(key), [item], as_json)


# the commands of the other modules register on `cli` when they are imported
from fundledger import audit, reading  # noqa: E402,F401


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
