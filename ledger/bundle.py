"""The offline audit bundle: everything an auditor needs to check the ledger with no database.

``DIR/``
  ``entries.jsonl``   every entry's canonical bytes, one per line, in seq order;
  ``log.vkey``        the log's C2SP verifier key (the log key in force: the genesis's, or the last
                      rotation's);
  ``checkpoint.note`` a checkpoint of the exported tree, signed by the log key;
  ``README.md``       how to check the bundle;
  ``MANIFEST``        a signed note by the log key listing the digest (the suite's hash: SHA-256 or
                      SM3) and name of every other file. Its first line is ``fundledger-bundle/v1``
                      for an ed25519-sha256 ledger, ``fundledger-bundle/v1 sm2-sm3`` for an SM one.

:func:`verify_bundle` is pure (no SQLAlchemy, pandas or Great Expectations): it checks that the
files are exactly the manifest's, then streams ``entries.jsonl`` through the chain checks of
``ledger/chain.py`` with the checkpoint, then checks the manifest's and the key file's signatures
against the log key in force (the genesis's, or the last rotation's), and the key the auditor
pinned, if given, against the chain of log keys from the genesis's. Any byte changed,
removed or added is an integrity failure (exit 3).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ledger import collector, segments
from ledger.chain import ChainResult, ChainVerifier, VerifyFailure
from ledger.errors import InputError
from ledger.keys import Signer
from ledger.kinds import Kind
from ledger.note import DASH, NoteError, log_key_id, parse_checkpoint, parse_verifier_key, sign_note, verifier_key
from ledger.suites import DEFAULT, SUITES, Suite

__all__ = ["MANIFEST_HEADER", "bundle_batches", "export_bundle", "stated_size", "verify_bundle"]

MANIFEST_HEADER = "fundledger-bundle/v1"
FILES = ("README.md", "checkpoint.note", "entries.jsonl", "log.vkey")
_BATCH = 5000

_README = """# fundledger offline audit bundle

Ledger `{origin}`, {size} entries, exported {at} (UTC).

| file | what it is |
| --- | --- |
| `entries.jsonl` | every entry's canonical bytes (RFC 8785), one per line, in seq order |
| `log.vkey` | the log's public key as a C2SP verifier key: `{vkey}` |
| `checkpoint.note` | a C2SP checkpoint of these {size} entries, signed by the log key |
| `MANIFEST` | the {hash} of every other file, signed by the log key |

Check it with no database: `fundledger verify --bundle DIR --log-vkey '{vkey}'`. Compare the
verifier key with the one you obtained from the district when you first audited it; pinning it
with `--log-vkey` makes the check fail if anyone rebuilt the ledger under another key.

The entry format is specified byte for byte in fundledger's `docs/format.md`. The ledger's suite is
{suite}: each entry's hash is {hash}(0x00 || line bytes); the Merkle root over these hashes
(RFC 9162) is the checkpoint's.
"""


@dataclass(frozen=True, slots=True)
class Exported:
    size: int
    root: str
    files: tuple[str, ...]


def export_bundle(ledger: Any, out: Path, log: Signer, progress: Callable[[int], None] | None = None) -> Exported:
    """Issue a checkpoint (recorded in the ledger) and write the bundle of the entries it covers:
    the entries are written in the checkpoint's own pass over their bytes (one read), so the file
    holds exactly the tree the log signs. If that pass fails (a stored hash or node is not what the
    entries give), no checkpoint is signed and the directory is left empty."""
    from ledger.checkpoints import issue_checkpoint, log_verifier_key
    from ledger.envelope import utc_now

    if out.exists() and any(out.iterdir()):
        raise InputError(f"{out} is not empty; a bundle is written into a new directory")
    out.mkdir(parents=True, exist_ok=True)
    entries = out / "entries.jsonl"
    try:
        with open(entries, "wb") as f:
            written = 0

            def write(data: bytes) -> None:
                nonlocal written
                f.write(data + b"\n")
                written += 1
                if progress and written % _BATCH == 0:
                    progress(_BATCH)

            issued = issue_checkpoint(ledger, log, each=write)
    except BaseException:
        entries.unlink(missing_ok=True)
        raise
    size = issued.size  # exactly the checkpointed tree; the checkpoint's own record comes after it
    vkey = log_verifier_key(ledger)
    (out / "checkpoint.note").write_text(issued.note, encoding="utf-8")
    (out / "log.vkey").write_text(vkey + "\n", encoding="utf-8")
    suite = ledger.suite
    (out / "README.md").write_text(_README.format(origin=ledger.origin, size=size, at=utc_now(), vkey=vkey,
                                                  suite=suite.name, hash=suite.hash_name), encoding="utf-8")
    lines = "".join(f"{_digest(out / name, suite)} {name}\n" for name in FILES)
    body = f"{_header(suite)}\n{ledger.origin}\n{size}\n{lines}"
    (out / "MANIFEST").write_text(sign_note(body, ledger.origin, log), encoding="utf-8")
    return Exported(size=size, root=issued.root.hex(), files=(*FILES, "MANIFEST"))


def _header(suite: Suite) -> str:
    return MANIFEST_HEADER if suite is DEFAULT else f"{MANIFEST_HEADER} {suite.name}"


def _digest(path: Path, suite: Suite) -> str:
    h = suite.new_hash()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _fail(what: str, expected: Any, found: Any) -> VerifyFailure:
    return VerifyFailure("B", None, what, expected, found)


def _manifest(text: str) -> tuple[str, Suite, dict[str, str], str, str, bytes, bytes]:
    """(body, suite, {name: digest}, origin, size as written, key id, signature) of a MANIFEST note."""
    if "\n\n" not in text or not text.endswith("\n"):
        raise _fail("MANIFEST", "a signed note", "no signature block")
    body, sigs = text.split("\n\n", 1)
    body += "\n"
    lines = body.split("\n")[:-1]
    headers = {_header(s): s for s in SUITES.values()}
    if len(lines) < 3 or lines[0] not in headers:
        raise _fail("MANIFEST header", " or ".join(headers), lines[0] if lines else "nothing")
    suite = headers[lines[0]]
    files: dict[str, str] = {}
    for line in lines[3:]:
        digest, _, name = line.partition(" ")
        if len(digest) != 64 or not name or name in files:
            raise _fail("MANIFEST line", f"<{suite.hash_name}> <file name>, once per file", repr(line))
        files[name] = digest
    sig_lines = sigs[:-1].split("\n")
    parts = sig_lines[0].split(" ")
    if len(sig_lines) != 1 or len(parts) != 3 or parts[0] != DASH:
        raise _fail("MANIFEST signature", "one log signature line", repr(sigs))
    try:
        raw = base64.b64decode(parts[2], validate=True)
    except ValueError:
        raise _fail("MANIFEST signature", "base64", repr(parts[2])) from None
    return body, suite, files, lines[1], lines[2], raw[:4], raw[4:]


def bundle_batches(directory: Path) -> Iterator[list[tuple]]:
    """The entries of ``entries.jsonl`` as rows the chain checks take (the bytes last; the index
    columns, which a bundle does not store, None), in batches."""
    path = directory / "entries.jsonl"
    source = segments.BundleSource(str(path), path.stat().st_size)
    seq, read = 0, 0
    for starts, lines in source.batches(0):  # it stops before a line without its newline
        yield list(source.rows(seq, lines))
        seq, read = seq + len(lines), starts[-1]
    if read != source.end:
        raise _fail("entries.jsonl", "every line ending in a newline", f"line {seq + 1} without one")


def _in_stretches(directory: Path, kinds: Mapping[str, Kind], checkpoints: list[tuple[str, Any]], workers: int,
                  progress: Callable[[int], None] | None, meanwhile: Callable[[], None] | None = None) -> ChainResult | None:
    """The chain checks in stretches of the entries file, one process each (``ledger/segments.py``),
    doing ``meanwhile`` here while they run; None where that does not decide (a small bundle, a
    failure: in order)."""
    path = directory / "entries.jsonl"
    size = path.stat().st_size
    if size < segments.MIN_BYTES:
        return None
    with open(path, "rb") as f:
        genesis = f.readline()
    if not genesis.endswith(b"\n"):
        return None
    return segments.verify_in_stretches(segments.BundleSource(str(path), size), genesis=genesis[:-1], kinds=kinds,
                                        workers=workers, checkpoints=checkpoints, progress=progress, meanwhile=meanwhile)


def stated_size(directory: Path) -> int:
    """How many entries the bundle's MANIFEST says it holds, unchecked, for a progress bar (0 if it
    says nothing readable); :func:`verify_bundle` holds it to the entries."""
    try:
        size = _manifest((directory / "MANIFEST").read_text(encoding="utf-8"))[4]
    except (OSError, UnicodeDecodeError, VerifyFailure):
        return 0
    return int(size) if size.isascii() and size.isdigit() and len(size) <= 18 else 0


@collector.paused()
def verify_bundle(directory: Path, *, kinds: Mapping[str, Kind], log_vkey: str | None = None,
                  progress: Callable[[int | None], None] | None = None, workers: int = 1) -> ChainResult:
    """``kinds``: the kinds the ledger knows (``ledger.kinds.registry``); ``workers``: processes
    checking the posting signatures, or from ``segments.MIN_BYTES`` of entries, stretches of them
    (``ledger/segments.py``), falling back to the check in order on any failure. ``progress(n)``
    counts the entries checked; ``progress(None)`` says the count starts again (the check in order,
    after stretches that did not decide)."""
    # B1. the files are exactly the manifest's, byte for byte
    try:
        manifest_text = (directory / "MANIFEST").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail("MANIFEST", "a MANIFEST file", "none") from None
    except UnicodeDecodeError:
        raise _fail("MANIFEST", "UTF-8 text", "other bytes") from None
    body, suite, files, origin, size, key_id, signature = _manifest(manifest_text)
    present = sorted(p.name if p.is_file() else p.name + "/" for p in directory.iterdir())  # a directory is no file
    expected = sorted([*files, "MANIFEST"])
    if present != expected:
        raise _fail("bundle files", expected, present)
    if sorted(files) != sorted(FILES):
        raise _fail("files in MANIFEST", sorted(FILES), sorted(files))
    digests_checked = False

    def check_digests() -> None:  # done while the stretches are checked, if they are; its failure comes first
        nonlocal digests_checked
        for name, digest in files.items():
            actual = _digest(directory / name, suite)
            if actual != digest:
                raise _fail(f"{suite.hash_name} of {name}", digest, actual)
        digests_checked = True

    # B2. the checkpoint, and the chain through it
    try:
        checkpoint = parse_checkpoint((directory / "checkpoint.note").read_text(encoding="utf-8"))
    except (NoteError, UnicodeDecodeError) as e:
        check_digests()
        raise _fail("checkpoint.note", "a checkpoint note", str(e)) from None
    checkpoints = [("checkpoint.note", checkpoint)]
    result = None
    if workers > 1:
        counting = segments.Counting(progress) if progress else None
        result = _in_stretches(directory, kinds, checkpoints, workers, counting, check_digests)
        if result is None and counting:
            counting.restart()
    if not digests_checked:
        check_digests()
    if result is None:  # in order, in this process: it names the first failure
        chain = ChainVerifier(kinds=kinds, checkpoints=checkpoints, index_columns=False, workers=workers)
        for batch in bundle_batches(directory):
            chain.feed(batch)
            if progress:
                progress(len(batch))
        result = chain.finish()
    if checkpoint.size != result.entries:
        raise _fail("checkpoint tree size", f"{result.entries} (every exported entry)", checkpoint.size)
    if size != str(result.entries):
        raise _fail("MANIFEST size", f"{result.entries} (every exported entry)", repr(size))
    # B3. the suite and the log key in force (the genesis's, or the last rotation's): the key file's, the
    # manifest's signer; and the pinned one, which may be any key of the chain from the genesis's
    if result.suite is not suite:
        raise _fail("MANIFEST suite", f"{result.suite.name} (the genesis's)", suite.name)
    vkey = verifier_key(result.origin, result.log_public, suite)
    written = (directory / "log.vkey").read_bytes().decode("utf-8", errors="replace").strip()
    if written != vkey:
        raise _fail("log.vkey", vkey, repr(written))
    if origin != result.origin or key_id != log_key_id(result.origin, result.log_public, suite) \
            or not suite.verify(result.log_public, signature, body.encode()):
        raise _fail("MANIFEST signature", f"a valid signature by the log key in force {vkey}", "another")
    if log_vkey is not None:
        try:
            pinned = parse_verifier_key(log_vkey)
        except NoteError as e:
            raise InputError(f"--log-vkey: {e}") from None
        if pinned[0] != result.origin or pinned[2] is not suite or pinned[1] not in result.log_chain:
            raise _fail("log key", f"the pinned {log_vkey}", vkey)
    return result
