"""The auditor's commands: ``verify``, ``replay``, ``checkpoint``, ``prove``, ``keys vkey``, ``export``
and ``witness``. They register on the ``fundledger`` group of ``fundledger/cli.py``, which says how a
command is declared and how its errors become exit codes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from contracts.api import CONTRACTS
from fundledger.cli import (
    KINDS,
    SEQ,
    cli,
    command,
    json_line,
    keys,
    open_ledger,
    progress,
)
from ledger.errors import EnvironmentProblem, InputError, IntegrityError
from ledger.findings import findings_to_text


# -- verify ----------------------------------------------------------------------------------
@command(cli)
@click.option("--checkpoint", "notes", multiple=True, type=click.Path(dir_okay=False),
              help="A checkpoint note kept earlier (repeatable): the ledger must extend it.")
@click.option("--bundle", type=click.Path(file_okay=False), help="Check an offline bundle instead of a database.")
@click.option("--log-vkey", help="With --bundle: the log verifier key you pinned; the bundle must be under it.")
@click.option("--no-replay", is_flag=True,
              help="Skip step 8 (the derived state re-derived from the entries): a quick structural check.")
@click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="the cores",
              help="Processes: checking posting signatures, or stretches of a large ledger while this one "
                   "replays it (1: in order, in this process).")
def verify(notes: tuple[str, ...], bundle: str | None, log_vkey: str | None, no_replay: bool, workers: int,
           db_url: str, as_json: bool) -> int:
    """Check the whole chain, every posting signature, the keys in force, the index columns, the
    stored Merkle nodes, consistency with every checkpoint given, and that every projection table
    is what the entries give under the rules each posting recorded; or an offline bundle."""
    if bundle is not None:
        from ledger.bundle import stated_size, verify_bundle

        if notes:
            raise InputError("--checkpoint goes with a database; a bundle carries its own checkpoint")
        if not Path(bundle).is_dir():
            raise InputError(f"{bundle}: no such directory")
        with progress(stated_size(Path(bundle)), "verifying") as update:
            result = verify_bundle(Path(bundle), kinds=KINDS, log_vkey=log_vkey, progress=update, workers=workers)
        _print_chain(result, as_json)
        return 0
    from ledger import db
    from ledger.tree import conn_size
    from ledger.verify import verify_ledger

    checkpoints = [(path, _read_checkpoint(path)) for path in notes]
    engine = db.make_engine(db_url)
    db.check_schema(engine)
    with db.read_tx(engine) as conn:
        total = conn_size(conn)  # for the progress bar: the head's bytes are verify's to read
    with progress(total, "verifying") as update:
        verified = verify_ledger(engine, CONTRACTS, progress=update, checkpoints=checkpoints, replay=not no_replay,
                                 workers=workers)
    if as_json:
        json_line(verified.as_dict())
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
        json_line(report)
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
    from ledger.bundle import stated_size
    from ledger.replay import replay_bundle

    if not Path(bundle).is_dir():
        raise InputError(f"{bundle}: no such directory")
    with progress(stated_size(Path(bundle)), "verifying the bundle", then="replaying") as update:
        rebuilt = replay_bundle(Path(bundle), db_url, CONTRACTS, log_vkey=log_vkey, progress=update)
    chain, replayed = rebuilt.chain, rebuilt.replay
    if as_json:
        json_line({"ok": True, "origin": chain.origin, "entries": replayed.entries, "root": chain.root.hex(),
                    "warnings": len(replayed.warnings), "rules_added_after": [f.as_dict() for f in replayed.late]})
    else:
        click.echo(f"bundle verified: {chain.entries} entries of {chain.origin}, root {chain.root.hex()}")
        click.echo(f"replayed into {db_url}: {replayed.entries} entries, {replayed.postings} postings, every "
                   f"projection derived from them; {len(replayed.warnings)} warnings, as at posting")
    return 0


# -- checkpoints and proofs --------------------------------------------------------------------
def signer_from(option: str | None, env_var: str, setting: str, ledger: Any) -> Any:
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

    ledger = open_ledger(db_url)
    issued = issue_checkpoint(ledger, signer_from(log_key, "FUNDLEDGER_LOG_KEY", LOG_KEY_SETTING, ledger))
    if out:
        Path(out).write_text(issued.note, encoding="utf-8")
    if as_json:
        json_line({"tree_size": issued.size, "root": issued.root.hex(), "note": issued.note, "recorded": issued.receipt.as_dict()})
    elif not out:
        click.echo(issued.note, nl=False)
    else:
        click.echo(f"checkpoint of tree size {issued.size} written to {out}; recorded at seq {issued.receipt.seq}")
    return 0


@cli.group()
def prove() -> None:
    """RFC 9162 inclusion and consistency proofs, as JSON."""


@command(prove, "inclusion")
@click.argument("seq", type=SEQ)
@click.option("--size", type=SEQ, help="Tree size to prove against (default: the current size).")
def prove_inclusion_cmd(seq: int, size: int | None, db_url: str, as_json: bool) -> int:
    """Prove that entry SEQ is in the tree of SIZE entries."""
    from ledger.checkpoints import prove_inclusion

    json_line(prove_inclusion(open_ledger(db_url), seq, size))
    return 0


@command(prove, "consistency")
@click.argument("old_size", type=SEQ)
@click.argument("new_size", type=SEQ)
def prove_consistency_cmd(old_size: int, new_size: int, db_url: str, as_json: bool) -> int:
    """Prove that the tree of NEW_SIZE entries extends the tree of OLD_SIZE entries."""
    from ledger.checkpoints import prove_consistency

    json_line(prove_consistency(open_ledger(db_url), old_size, new_size))
    return 0


@command(keys, "vkey")
def keys_vkey(db_url: str, as_json: bool) -> int:
    """Print the log's C2SP verifier key string (from the genesis), for auditors to pin."""
    from ledger.checkpoints import log_verifier_key

    vkey = log_verifier_key(open_ledger(db_url))
    json_line({"vkey": vkey}) if as_json else click.echo(vkey)
    return 0


# -- export ----------------------------------------------------------------------------------
@command(cli)
@click.option("--out", required=True, type=click.Path(file_okay=False), help="A new directory for the bundle.")
@click.option("--key", "log_key", type=click.Path(dir_okay=False), help="Log private key (else FUNDLEDGER_LOG_KEY, else init's).")
def export(out: str, log_key: str | None, db_url: str, as_json: bool) -> int:
    """Write the offline audit bundle: entries, log key, a fresh checkpoint, a signed manifest."""
    from ledger.bundle import export_bundle
    from ledger.store import LOG_KEY_SETTING

    ledger = open_ledger(db_url)
    with progress(ledger.head().size, "exporting") as update:
        done = export_bundle(ledger, Path(out), signer_from(log_key, "FUNDLEDGER_LOG_KEY", LOG_KEY_SETTING, ledger),
                             progress=update)
    if as_json:
        json_line({"ok": True, "out": out, "tree_size": done.size, "root": done.root, "files": list(done.files)})
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
            proof = prove_consistency(open_ledger(db_url), old, new)
        except InputError as e:  # the database cannot even produce one
            raise ProofError(e.message) from None
        return [bytes.fromhex(h) for h in proof["path"]]

    def rotations(size: int) -> list[tuple[int, bytes, list[bytes]]]:
        """The ledger's key.rotate entries below ``size`` with their inclusion proofs (the witness checks both)."""
        from sqlalchemy import text

        from ledger import db
        from ledger.checkpoints import prove_inclusion

        ledger = open_ledger(db_url)
        with db.read_tx(ledger.engine) as conn:
            found = [(r.seq, bytes(r.data)) for r in conn.execute(
                text("SELECT seq, data FROM entries WHERE kind = 'key.rotate' AND seq < :n ORDER BY seq"), {"n": size})]
        return [(seq, data, [bytes.fromhex(h) for h in prove_inclusion(ledger, seq, size)["path"]]) for seq, data in found]

    cosigned = cosign_checkpoint(text, load_private(auditor_key), Path(state), proofs=proofs, rotations=rotations,
                                 log_vkey=log_vkey, name=name)
    if out:
        Path(out).write_text(cosigned.text(), encoding="utf-8")
    if as_json:
        json_line({"ok": True, "tree_size": cosigned.size, "note": cosigned.text()})
    elif not out:
        click.echo(cosigned.text(), nl=False)
    return 0
