"""The chain checks of ``verify``, over rows from any source: the database or an offline bundle.

Pure: imports no SQLAlchemy, pandas or Great Expectations, so ``verify --bundle`` runs without
them. With ``workers`` > 1 the posting signatures (the cost of a ledger of small postings) are
checked by a pool of that many processes while the rows stream on (threads, which both libraries
allow by letting go of the GIL while they verify, measured 3-20 % slower in this pipeline: the
main thread's parsing holds the GIL the workers need between calls); every other check stays in
order here, and before any failure is raised the signatures of the entries before it are settled,
so the failure named is the first in seq order, exactly as the serial check names it. This is the
check in order; ``ledger/segments.py`` runs the same checks on stretches of a large ledger, one
process each (a :class:`ChainVerifier` given a :class:`Segment` checks one stretch; another
settles, in order, what the stretches leave: :meth:`ChainVerifier.settle`, :meth:`ChainVerifier.fold`),
and falls back to this one whenever anything fails. Rows are ``(seq, hash, prev, kind, idem,
posting, key_id, at, data)``: the stored bytes and the index columns stored beside them (a bundle
derives the columns from the bytes).

Steps (numbering shared with ``ledger/verify.py``):
  2. genesis: seq 0 is a well-formed ``ledger.genesis`` pinning the suite (``ledger/suites.py``: every
     hash and signature after it is the suite's, every key enrolled of its algorithm) and the admin
     and log keys;
  3. every entry: 3.1 seq · 3.2 hash · 3.3 canonical envelope, its fields of the format's JSON types
     (``docs/format.md`` §2) · 3.4 chain · 3.5 index columns ·
     3.6 posting structure (and the contracts version each posting records: none on the genesis,
     an integer from 1 on every other, never lower than the posting before's) · 3.7 unique idem ·
     3.8 key in force, role, key bodies, key rotations (``ledger/rotation.py``), signature;
  4. the last posting is complete;
  6. every stored Merkle node (if the source has them) equals the subtree hash recomputed here;
  7. every checkpoint given is signed by the log key in force at its tree size (the genesis key,
     or the one the last rotation before that size made), its tree size is not beyond the ledger,
     its root equals the root recomputed at that size, and every cosignature by an auditor key
     enrolled in the history verifies.
"""

from __future__ import annotations

import base64
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import orjson

from ledger.canonical import SORT_KEYS as _SORT_KEYS
from ledger.envelope import AT_FORMAT, FORMAT_VERSION, ZERO_HASH, posting_message
from ledger.errors import IntegrityError, stored_hex
from ledger.kinds import ADMIN, AUDITOR, LOG, Kind, genesis_suite, json_type, validate_core_body
from ledger.merkle import CompactRange, mth
from ledger.note import Checkpoint, NoteError, cosigner_key_id, verify_cosignature, verify_log_signature
from ledger.rotation import KeyView, new_key_name, rotation_problems
from ledger.suites import DEFAULT, SUITES, Suite

__all__ = ["ChainResult", "ChainVerifier", "Deferred", "KeyState", "Segment", "VerifyFailure"]

_ENVELOPE_KEYS = {"v", "ledger", "seq", "prev", "kind", "at", "posting", "idem", "body"}
# the envelope's fields in one call: as many fields as these, each of these present, is exactly these
_ENVELOPE_FIELDS = itemgetter("v", "seq", "ledger", "kind", "idem", "body", "prev", "posting", "at")
_ENVELOPE_SIZE = len(_ENVELOPE_KEYS)
_POSTING_KEYS = {"contracts", "i", "id", "key", "n", "sig"}
_INDEX_COLUMNS = ("kind", "idem", "posting", "key_id", "at")
_KEY_KINDS = {"ledger.genesis", "key.enroll", "key.revoke", "key.rotate"}
# canonical(env), without the call, refusing an integer an RFC 8785 number (an IEEE double) cannot hold exactly
_CANONICAL = _SORT_KEYS | orjson.OPT_STRICT_INTEGER
NODE_LEVEL = 8  # stored Merkle nodes start at this level (ledger/tree.py)
_SIGNATURE_BATCH = 256  # posting signatures sent to a worker at a time


def _first_bad_signature(suite_name: str, items: list[tuple[bytes, bytes, bytes]]) -> int:
    """In a worker: the index of the first (public key, signature, message) that does not verify, or -1."""
    suite = SUITES[suite_name]
    for i, (public, sig, message) in enumerate(items):
        if not suite.verify(public, sig, message):
            return i
    return -1


def _found(value: Any, expected_type: type) -> Any:
    """A value found where one of ``expected_type`` belongs: itself if it is of that type, else
    what JSON value it is as well (1.0 and true would print as 1.0 and True)."""
    return value if type(value) is expected_type else json_type(value, shown=True)


def process_pool(workers: int) -> ProcessPoolExecutor | None:
    """Forked workers (cheap: nothing to import again), or, where another thread could hold a lock a
    forked child would inherit, workers from a fork server; None where neither exists."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    method = "fork" if threading.active_count() == 1 and "fork" in methods else \
        "forkserver" if "forkserver" in methods else None
    return None if method is None else ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


class VerifyFailure(IntegrityError):
    """The ledger or bundle is inconsistent (exit 3)."""

    def __init__(self, step: str, seq: int | None, what: str, expected: Any, found: Any) -> None:
        where = f"seq {seq}: " if seq is not None else ""
        super().__init__(f"step {step}: {where}{what}: expected {expected}, found {found}")
        self.step, self.seq, self.what, self.expected, self.found = step, seq, what, expected, found

    def as_dict(self) -> dict[str, Any]:
        return {"ok": False, "step": self.step, "seq": self.seq, "what": self.what,
                "expected": str(self.expected), "found": str(self.found), "message": self.message}


@dataclass(slots=True)
class KeyState:
    public: bytes
    role: str
    name: str
    enrolled_seq: int
    revoked_seq: int | None = None


@dataclass(slots=True)
class _Posting:
    id: int
    n: int
    key: str
    at: str
    contracts: int | None
    first_seq: int
    kinds: set[str]
    inner: dict[str, Any] = field(default_factory=dict)  # its first entry's posting fields: those of every entry but the last, with its own i
    key_effects: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    shared: tuple = ()  # (id, n, key, at, contracts): what every entry of the posting repeats

    def __post_init__(self) -> None:
        self.shared = (self.id, self.n, self.key, self.at, self.contracts)


class Deferred(NamedTuple):
    """A posting's key and signature checks (3.8), which a stretch checked apart leaves to the
    process that holds the keys of the history before it. Only what those checks read, in a tuple:
    a stretch sends one a posting to that process. A dataclass holding the whole posting took
    twice the bytes and time (10,000 single-entry postings: 4.9 MB and 0.17 s to pickle and
    unpickle, against 2.3 MB and 0.08 s). ``id``, ``key``, ``kinds``, ``first_seq``, ``n`` and
    ``key_effects`` are named as :class:`_Posting`'s, which the checks also take."""

    seq: int  # the posting's last entry
    id: int
    key: str  # the key id that signed it
    kinds: tuple[str, ...]
    first_seq: int
    n: int
    key_effects: tuple[tuple[int, dict[str, Any]], ...]
    sig: Any  # posting.sig as stored
    message: bytes  # what its key signed (``posting_message``)
    genesis_signer: str | None  # the genesis posting's: the log key id its body pins
    checked_with: bytes | None  # the public key the signature was found valid with, from the hints; None if not


@dataclass(slots=True)
class Segment:
    """One stretch of the ledger checked apart from the rest (``ledger/segments.py``): it starts at
    ``start`` with the genesis's suite and origin, knowing nothing of the stretch before it, and
    records what only that stretch can settle: the link its first entry claims, its first posting's
    id and contracts version, and each posting's 3.8 (with the signature already checked where
    ``key_hints``, the public keys the history names, held the posting's key id). Its leaves go to
    the process that holds the tree."""

    start: int
    suite: Suite
    origin: str | None
    key_hints: Mapping[str, bytes]
    leaves: list[bytes] = field(default_factory=list)
    first_prev: tuple[str, bytes | None] | None = None  # (in the bytes, in the index column)
    first_posting: Any = None
    first_contracts: int | None = None
    deferred: list[Deferred] = field(default_factory=list)
    # one object for each key id and set of kinds: pickled once a stretch, not once a posting
    _names: dict[Any, Any] = field(default_factory=dict)

    def defer(self, seq: int, env: dict[str, Any], posting: _Posting) -> None:
        genesis_signer = env["body"]["log"]["kid"] if posting.first_seq == 0 else None
        stored, message = env["posting"]["sig"], posting_message(env, self.suite)
        public, checked_with = self.key_hints.get(posting.key), None
        if public is not None and type(stored) is str:
            try:
                if self.suite.verify(public, base64.b64decode(stored, validate=True), message):
                    checked_with = public
            except ValueError:
                pass
        kinds, names = tuple(posting.kinds), self._names
        self.deferred.append(Deferred(seq, posting.id, names.setdefault(posting.key, posting.key),
                                      names.setdefault(kinds, kinds), posting.first_seq, posting.n,
                                      tuple(posting.key_effects), stored, message, genesis_signer, checked_with))


@dataclass(frozen=True, slots=True)
class ChainResult:
    origin: str
    entries: int
    postings: int
    head_hash: str
    root: bytes
    keys: dict[str, KeyState]
    log_chain: tuple[bytes, ...]  # every log key, from the genesis's through the rotations
    checkpoints: tuple[dict[str, Any], ...]
    suite: Suite = DEFAULT

    @property
    def log_public(self) -> bytes:
        """The log key in force: the last of the chain."""
        return self.log_chain[-1]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": True, "origin": self.origin, "suite": self.suite.name, "entries": self.entries,
                "postings": self.postings,
                "tree_size": self.entries, "root": self.root.hex(), "head_hash": self.head_hash,
                "keys_in_force": sum(1 for k in self.keys.values() if k.revoked_seq is None),
                "checkpoints": list(self.checkpoints)}


class ChainVerifier:
    """Feed rows in seq order with :meth:`feed`, then call :meth:`finish`."""

    def __init__(self, *, kinds: Mapping[str, Kind], stored_nodes: dict[tuple[int, int], bytes] | None = None,
                 checkpoints: Sequence[tuple[str, Checkpoint]] = (), index_columns: bool = True,
                 workers: int = 1, segment: Segment | None = None) -> None:
        """``kinds``: the ledger's kinds (``ledger.kinds.registry``). ``index_columns=False`` for
        sources that store only the bytes (a bundle): rows then carry None for the hash and the
        columns, and steps 3.2 and 3.5 have nothing to compare. ``workers``: processes checking
        the posting signatures (1: here, in order). ``segment``: check one stretch of the ledger
        for ``ledger/segments.py`` (see :class:`Segment`) instead of the whole of it."""
        self.kinds = kinds
        self.workers = workers
        self._signatures: list[tuple[int, int, str, bytes, bytes, bytes]] = []  # queued: seq, posting, kid, key, sig, msg
        self._in_flight: list[tuple[list[tuple[int, int, str, bytes, bytes, bytes]], Future]] = []
        self._pool: ProcessPoolExecutor | None = None
        self.index_columns = index_columns
        self.contracts = 0  # the contracts version of the last posting
        self.keys: dict[str, KeyState] = {}
        self.idems: set[str] = set()
        self.origin: str | None = None
        self.log_keys: list[tuple[int, bytes]] = []  # (the first tree size it signs, public key), in order
        self.next_seq = 0
        self.prev = ZERO_HASH
        self.last_posting_id = -1
        self.posting: _Posting | None = None
        self.postings = 0
        self.stored_nodes = stored_nodes
        self.nodes_seen = 0
        self.checkpoints = sorted(checkpoints, key=lambda c: c[1].size)
        self._cp_next = 0
        self.suite = DEFAULT  # until the genesis says which
        self.segment = segment
        if segment is not None:
            self.next_seq, self.suite, self.origin = segment.start, segment.suite, segment.origin
            if segment.start > 0:  # what the stretch before ends with is not known here: recorded, not checked
                self.prev, self.last_posting_id, self.contracts = None, None, None
        self.tree = self._new_tree()

    def _new_tree(self) -> CompactRange | list[bytes]:
        if self.segment is not None:  # a stretch's leaves go to the process that holds the tree
            return self.segment.leaves
        return CompactRange(self.suite, on_node=self._on_node if self.stored_nodes is not None else None)

    # step 6: stored nodes, as each perfect subtree completes
    def _on_node(self, level: int, idx: int, h: bytes) -> None:
        if level < NODE_LEVEL:
            return
        self.nodes_seen += 1
        stored = self.stored_nodes.get((level, idx))
        if stored != h:
            raise VerifyFailure("6", (idx + 1 << level) - 1, f"stored Merkle node ({level}, {idx})", h.hex(),
                                "absent" if stored is None else stored_hex(stored))

    # step 7: a checkpoint's log signature and root, when the stream reaches its size
    def _log_key_at(self, size: int) -> bytes:
        return [public for first, public in self.log_keys if first <= size][-1]

    def _check_log_signature(self, label: str, cp: Checkpoint) -> None:
        """A checkpoint is compared with nothing before its log signature is checked."""
        try:
            verify_log_signature(cp, self.origin, self._log_key_at(cp.size), self.suite)
        except NoteError as e:
            rotated = " (the log key in force at that size)" if len(self.log_keys) > 1 else ""
            raise VerifyFailure("7", None, f"checkpoint {label}: log signature", f"the log key's{rotated}",
                                str(e)) from None

    def _check_roots(self) -> None:
        while self._cp_next < len(self.checkpoints) and self.checkpoints[self._cp_next][1].size == self.tree.size:
            label, cp = self.checkpoints[self._cp_next]
            self._check_log_signature(label, cp)
            root = self.tree.root()
            if root != cp.root:
                raise VerifyFailure("7", cp.size - 1, f"checkpoint {label}: root at tree size {cp.size}",
                                    base64.b64encode(root).decode(), base64.b64encode(cp.root).decode())
            self._cp_next += 1

    def feed(self, batch: Iterable[Sequence[Any]]) -> None:
        try:
            self._feed(batch)
        except VerifyFailure:
            self.settle_signatures()  # a bad signature before it is the first failure
            raise
        except BaseException:
            self._close_pool()
            raise

    def _feed(self, batch: Iterable[Sequence[Any]]) -> None:
        idems, tree, columns, kinds, origin = self.idems, self.tree, self.index_columns, self.kinds, self.origin
        leaf_hash, loads, dumps = self.suite.leaf_hash, orjson.loads, orjson.dumps
        expected_seq, prev, posting = self.next_seq, self.prev, self.posting
        inner, inner_until = (None, -1) if posting is None else (posting.inner, posting.first_seq + posting.n - 1)
        prev_hex = None if prev is None else prev.hex()
        roots_due = self._cp_next < len(self.checkpoints)
        for seq, h, prev_col, kind_col, idem_col, posting_col, key_col, at_col, data in batch:
            # 3.1 seq
            if seq != expected_seq:
                raise VerifyFailure("3.1", expected_seq, "entry missing or out of place",
                                    f"seq {expected_seq}", f"seq {seq}")
            if seq == 0:  # the genesis names the suite its own hash is in
                self.suite = _suite_named_in(data)
                tree = self.tree = self._new_tree()
                leaf_hash = self.suite.leaf_hash
            # 3.2 hash
            try:
                computed = leaf_hash(data)
            except TypeError:  # SQLite keeps text where the schema has a BLOB: an UPDATE by hand
                raise VerifyFailure("3.2", seq, "stored bytes", "bytes", stored_hex(data)) from None
            if columns and computed != h:
                raise VerifyFailure("3.2", seq, "stored hash is not the hash of the stored bytes",
                                    computed.hex(), stored_hex(h))
            # 3.3 bytes
            try:
                env = loads(data)
            except orjson.JSONDecodeError:
                raise VerifyFailure("3.3", seq, "stored bytes", "a JSON envelope", "bytes that are not JSON") from None
            try:
                if type(env) is not dict or len(env) != _ENVELOPE_SIZE:
                    raise KeyError
                v, env_seq, env_ledger, kind, idem, body, env_prev, p, at = _ENVELOPE_FIELDS(env)
            except KeyError:
                found = sorted(env) if type(env) is dict else type(env).__name__
                raise VerifyFailure("3.3", seq, "envelope fields", sorted(_ENVELOPE_KEYS), found) from None
            try:
                canonical = dumps(env, option=_CANONICAL)
            except orjson.JSONEncodeError:
                raise VerifyFailure("3.3", seq, "stored bytes are not canonical (RFC 8785)", "integers within ±(2^53-1)",
                                    "a larger integer") from None
            if canonical != data:
                raise VerifyFailure("3.3", seq, "stored bytes are not canonical (RFC 8785)", "canonical bytes",
                                    "another encoding of the envelope")
            # the envelope's own fields have their types (1.0 and true equal 1 in Python, and are their own bytes)
            if v != FORMAT_VERSION or type(v) is not int:
                raise VerifyFailure("3.3", seq, "format version", FORMAT_VERSION, _found(v, int))
            if env_seq != seq or type(env_seq) is not int:
                raise VerifyFailure("3.3", seq, "the envelope's seq", seq, _found(env_seq, int))
            if seq == 0:
                self._genesis(env)
                origin = self.origin
            if env_ledger != origin:
                raise VerifyFailure("3.3", seq, "the envelope's ledger", origin, env_ledger)
            if type(kind) is not str or kind not in kinds or (seq > 0 and kind == "ledger.genesis"):
                raise VerifyFailure("3.3", seq, "kind", "a kind this ledger knows", _found(kind, str))
            if type(idem) is not str:
                raise VerifyFailure("3.3", seq, "idem", "a string", json_type(idem))
            if type(body) is not dict:
                raise VerifyFailure("3.3", seq, "body", "an object", json_type(body))
            # 3.4 chain
            if prev_hex is None:  # a stretch's first entry: its link is checked where the stretches meet
                self.segment.first_prev = (env_prev, None if prev_col is None else bytes(prev_col))
            elif env_prev != prev_hex:
                raise VerifyFailure("3.4", seq, "prev (in the bytes)", prev_hex, env_prev)
            elif columns and prev_col != prev:
                raise VerifyFailure("3.4", seq, "prev (index column)", prev_hex, stored_hex(prev_col))
            if seq < inner_until:  # inside the posting in hand, neither its first entry nor its last
                inner["i"] = seq - posting.first_seq
                quick = p == inner and type(p["i"]) is int and type(p["n"]) is int and type(p["id"]) is int \
                    and type(p.get("contracts")) is int and at == posting.at \
                    and (not columns or (kind_col, idem_col, posting_col, key_col, at_col) == (kind, idem, posting.id, posting.key, posting.at))
            else:
                quick = False
            if quick:  # 3.5 and 3.6 hold: the next entry, the posting's fields and columns, no signature (below, each apart)
                last = False
            else:
                if type(p) is not dict:
                    raise VerifyFailure("3.3", seq, "posting", "an object", type(p).__name__)
                # 3.5 index columns
                posting_id, key_id = p.get("id"), p.get("key")
                truth = (kind, idem, posting_id, key_id, at)
                if columns and (kind_col, idem_col, posting_col, key_col, at_col) != truth:
                    stored = (kind_col, idem_col, posting_col, key_col, at_col)
                    column, want, got = next(x for x in zip(_INDEX_COLUMNS, truth, stored) if x[1] != x[2])
                    raise VerifyFailure("3.5", seq, f"index column {column}", repr(want), repr(got))
                # 3.6 posting structure
                if not p.keys() <= _POSTING_KEYS:
                    raise VerifyFailure("3.6", seq, "posting fields", f"among {sorted(_POSTING_KEYS)}", sorted(p))
                i, n = p.get("i"), p.get("n")
                if type(i) is not int or type(n) is not int or not 0 <= i < n:
                    raise VerifyFailure("3.6", seq, "posting.i / posting.n", "0 <= i < n", f"i={i!r} n={n!r}")
                if i == 0:
                    if posting is not None:
                        raise VerifyFailure("3.6", seq, "posting", f"entry {seq - posting.first_seq} of posting {posting.id}",
                                            f"a new posting {p.get('id')} before it ended")
                    if type(posting_id) is not int:
                        raise VerifyFailure("3.6", seq, "posting id", "an integer", repr(posting_id))
                    if type(key_id) is not str:
                        raise VerifyFailure("3.6", seq, "posting key", "a key id (a string)", json_type(key_id))
                    if type(at) is not str or not AT_FORMAT.fullmatch(at):
                        raise VerifyFailure("3.3", seq, "at", "UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ", _found(at, str))
                    if self.last_posting_id is None:  # a stretch's first posting
                        self.segment.first_posting = posting_id
                    elif posting_id != self.last_posting_id + 1:
                        raise VerifyFailure("3.6", seq, "posting id", self.last_posting_id + 1, posting_id)
                    self._check_contracts_version(seq, p)
                    posting = _Posting(id=posting_id, n=n, key=key_id, at=at, contracts=p.get("contracts"),
                                       first_seq=seq, kinds=set(), inner=dict(p))
                    inner, inner_until = posting.inner, seq + n - 1
                    self.postings += 1
                elif posting is None or i != seq - posting.first_seq \
                        or (posting_id, n, key_id, at, p.get("contracts")) != posting.shared \
                        or type(posting_id) is not int or type(p.get("contracts")) is not type(posting.contracts):
                    expect_i = seq - posting.first_seq if posting else 0
                    raise VerifyFailure("3.6", seq, "posting", f"entry {expect_i} of posting {posting.id if posting else '?'}",
                                        f"posting {p.get('id')} entry {i} of {n} by {p.get('key')}")
                last = i == n - 1
                if ("sig" in p) != last:
                    raise VerifyFailure("3.6", seq, "posting signature", "on the last entry only",
                                        "a signature here" if "sig" in p else "no signature on the last entry")
            posting.kinds.add(kind)
            if kind in _KEY_KINDS:
                posting.key_effects.append((seq, env))
                problems = validate_core_body(kind, body)
                if problems:
                    raise VerifyFailure("3.8", seq, f"{kind} body", "a well-formed body",
                                        "; ".join(f"{f}: {m}" for f, m in problems))
                if kind == "key.enroll" and body["key"]["alg"] != self.suite.alg:
                    raise VerifyFailure("3.8", seq, "key.enroll: the key's algorithm",
                                        f"{self.suite.alg} (the {self.suite.name} ledger's)", body["key"]["alg"])
            # 3.7 idem
            if idem in idems:
                raise VerifyFailure("3.7", seq, "idem", "unique", f"{idem!r} again")
            idems.add(idem)
            # 3.8 signature, once per posting
            if last:
                if self.segment is not None:
                    self.segment.defer(seq, env, posting)
                else:
                    self._check_signature(seq, env, posting)
                    self._apply_keys(posting)  # key changes take force once the posting is verified
                self.last_posting_id = posting.id
                posting = None
            prev = computed
            prev_hex = prev.hex()
            expected_seq += 1
            tree.append(computed)
            if roots_due:
                self._check_roots()
                roots_due = self._cp_next < len(self.checkpoints)
        self.next_seq, self.prev, self.posting = expected_seq, prev, posting

    # what ``ledger/segments.py`` does here while stretches are checked elsewhere
    def begin_with(self, genesis: bytes) -> bool:
        """Take the genesis's suite, origin and log key from its bytes, read ahead of the rows (the
        stretch that holds it checks it as an entry). False if they are not a genesis to read."""
        try:
            env = orjson.loads(genesis)
        except orjson.JSONDecodeError:
            return False
        if type(env) is not dict or env.get("kind") != "ledger.genesis" or type(env.get("body")) is not dict:
            return False
        self.suite = _suite_named_in(genesis)
        self.tree = self._new_tree()
        self._genesis(env)
        return True

    def fold(self, leaves: bytes, blocks: Mapping[int, bytes]) -> None:
        """Append a stretch's leaves (entry hashes, one after another) to the tree, checking the
        stored nodes and the checkpoints as they come (steps 6, 7). ``blocks``: the roots of the
        stretch's aligned subtrees of 2**NODE_LEVEL leaves, hashed by its process
        (``merkle.subtree_roots``); a subtree not among them is hashed here."""
        tree, size = self.tree, len(self.suite.empty_root)  # the suite's hash size
        block = 1 << NODE_LEVEL  # whole subtrees of the lowest stored level at once: none of their inner nodes is stored
        k, end = 0, len(leaves)
        while k < end:
            if tree.size % block == 0 and end - k >= block * size and (
                    self._cp_next == len(self.checkpoints) or self.checkpoints[self._cp_next][1].size > tree.size + block):
                root = blocks.get(tree.size >> NODE_LEVEL)
                if root is None:
                    root = mth([leaves[j:j + size] for j in range(k, k + block * size, size)], self.suite)
                tree.append_subtree(NODE_LEVEL, root)
                k += block * size
            else:
                tree.append(leaves[k:k + size])
                k += size
                if self._cp_next < len(self.checkpoints):
                    self._check_roots()

    def close(self) -> None:
        """Stop the signature checkers, if any (``finish`` does it too)."""
        self._close_pool()

    def _check_contracts_version(self, seq: int, p: dict[str, Any]) -> None:
        """3.6: the genesis records no contracts version; every later posting one, from 1, never
        lower than the posting before's (a posting cannot claim to predate rules already in force)."""
        version = p.get("contracts")
        if seq == 0:
            if "contracts" in p:
                raise VerifyFailure("3.6", seq, "posting.contracts", "none on the genesis", repr(version))
            return
        if type(version) is not int or version < 1:
            raise VerifyFailure("3.6", seq, f"posting {p.get('id')}: contracts version", "an integer from 1", repr(version))
        if self.contracts is None:  # a stretch's first posting
            self.segment.first_contracts = version
        elif version < self.contracts:
            raise VerifyFailure("3.6", seq, f"posting {p.get('id')}: contracts version",
                                f"at least {self.contracts} (the posting before recorded it)", version)
        self.contracts = version

    def finish(self) -> ChainResult:
        self.settle_signatures()
        n = self.next_seq
        if n == 0:
            raise VerifyFailure("2", 0, "genesis", "a ledger.genesis entry at seq 0", "an empty ledger")
        # 4. the last posting is complete
        if self.posting is not None:
            raise VerifyFailure("4", n - 1, "last posting", f"{self.posting.n} entries ending in a signature",
                                f"{n - self.posting.first_seq} entries and no signature")
        # 6. no stored node beyond what the entries make
        if self.stored_nodes is not None and self.nodes_seen != len(self.stored_nodes):
            extra = sorted(set(self.stored_nodes) - _nodes_of(n))
            raise VerifyFailure("6", None, "stored Merkle nodes", f"{self.nodes_seen} nodes for {n} entries",
                                f"{len(self.stored_nodes)} stored, e.g. {extra[:3]}")
        # 7. checkpoints: signatures, sizes, cosignatures
        reports = []
        for label, cp in self.checkpoints:
            if cp.size > n:
                self._check_log_signature(label, cp)
                raise VerifyFailure("7", n - 1, f"checkpoint {label}: tree size",
                                    f"at least {cp.size} entries (what the log signed)",
                                    f"{n}: entries the checkpoint covers are gone")
            reports.append({"checkpoint": label, "tree_size": cp.size, "cosigned_by": self._cosigners(label, cp)})
        return ChainResult(origin=self.origin or "", entries=n, postings=self.postings, head_hash=self.prev.hex(),
                           root=self.tree.root(), keys=self.keys,
                           log_chain=tuple(public for _, public in self.log_keys),
                           checkpoints=tuple(reports), suite=self.suite)

    def _cosigners(self, label: str, cp: Checkpoint) -> list[str]:
        auditors = [(kid, k) for kid, k in self.keys.items() if k.role == AUDITOR]
        names = []
        for s in cp.signatures:
            if s.name == self.origin and s.data and len(s.data) == 64:
                continue  # the log's own signature, checked above
            for kid, key in auditors:
                try:
                    verify_cosignature(cp, s, key.public, self.suite)
                except NoteError as e:
                    if s.key_id == cosigner_key_id(s.name, key.public, self.suite):
                        raise VerifyFailure("7", None, f"checkpoint {label}: cosignature of {s.name}",
                                            f"a valid cosignature by {kid}", str(e)) from None
                    continue
                names.append(f"{s.name} ({kid}, {key.name})")
                break
        return names

    def _genesis(self, env: dict[str, Any]) -> None:
        if env["kind"] != "ledger.genesis":
            raise VerifyFailure("2", 0, "kind of the first entry", "ledger.genesis", env["kind"])
        body = env["body"]
        problems = validate_core_body("ledger.genesis", body) if type(body) is dict else [("body", "not an object")]
        if problems:
            raise VerifyFailure("2", 0, "genesis body", "a well-formed genesis", "; ".join(f"{f}: {m}" for f, m in problems))
        if genesis_suite(body) is not self.suite:  # cannot happen: the suite was read from these bytes
            raise VerifyFailure("2", 0, "genesis suite", self.suite.name, body.get("suite"))
        self.origin = body["origin"]
        self.log_keys = [(1, base64.b64decode(body["log"]["public"]))]
        for label, cp in self.checkpoints:
            if cp.origin != self.origin:
                raise VerifyFailure("7", None, f"checkpoint {label}: origin", self.origin, cp.origin)

    def _check_signature(self, seq: int, env: dict[str, Any], posting: _Posting) -> None:
        genesis_signer = env["body"]["log"]["kid"] if posting.first_seq == 0 else None
        key = self._posting_key(seq, posting, genesis_signer)
        sig = self._signature_bytes(seq, posting, env["posting"]["sig"])
        self._check_signature_by(key, (seq, posting.id, posting.key, key.public, sig, posting_message(env, self.suite)))

    def settle(self, deferred: Deferred) -> None:
        """3.8 for a posting a stretch left to this process (which holds the keys of the history
        before it), then its key changes: as :meth:`_feed` does at the end of a posting."""
        seq = deferred.seq
        key = self._posting_key(seq, deferred, deferred.genesis_signer)
        sig = self._signature_bytes(seq, deferred, deferred.sig)
        if deferred.checked_with is None or deferred.checked_with != key.public:
            self._check_signature_by(key, (seq, deferred.id, deferred.key, key.public, sig, deferred.message))
        self._apply_keys(deferred)
        self.postings += 1

    def _posting_key(self, seq: int, posting: _Posting | Deferred, genesis_signer: str | None) -> KeyState:
        """The key that must have signed the posting: in force, of a role that may post its kinds."""
        kid = posting.key
        if posting.first_seq == 0:  # the genesis is signed by the log key it pins
            key = KeyState(public=self.log_keys[0][1], role=LOG, name="genesis log", enrolled_seq=0)
            if kid != genesis_signer:
                raise VerifyFailure("3.8", seq, "genesis signer", genesis_signer, kid)
        else:
            key = self.keys.get(kid)
            if key is None:
                raise VerifyFailure("3.8", seq, f"key of posting {posting.id}", "a key enrolled before the posting",
                                    f"{kid}, never enrolled")
            if key.revoked_seq is not None:
                raise VerifyFailure("3.8", seq, f"key of posting {posting.id}", "a key in force",
                                    f"{kid} ({key.name}), revoked at seq {key.revoked_seq}")
            for kind in sorted(posting.kinds):
                if key.role not in self.kinds[kind].roles:
                    raise VerifyFailure("3.8", seq, f"role of the key posting {kind}",
                                        " or ".join(sorted(self.kinds[kind].roles)), f"{key.role} ({kid})")
        return key

    @staticmethod
    def _signature_bytes(seq: int, posting: _Posting | Deferred, stored: Any) -> bytes:
        try:
            return base64.b64decode(stored, validate=True)
        except (ValueError, TypeError):
            raise VerifyFailure("3.8", seq, f"signature of posting {posting.id}", "base64", repr(stored)) from None

    def _check_signature_by(self, key: KeyState, queued: tuple[int, int, str, bytes, bytes, bytes]) -> None:
        seq = queued[0]
        if self.workers <= 1 or seq == 0:
            if not self.suite.verify(*queued[3:]):
                raise self._bad_signature(queued)
            return
        self._signatures.append(queued)
        if len(self._signatures) >= _SIGNATURE_BATCH:
            self._send_signatures()

    # 3.8 in a pool: signatures are sent in batches and their answers read in order
    def _bad_signature(self, queued: tuple[int, int, str, bytes, bytes, bytes]) -> VerifyFailure:
        seq, posting_id, kid = queued[:3]
        return VerifyFailure("3.8", seq, f"signature of posting {posting_id}",
                             f"a valid {self.suite.alg} signature by {kid}", "a signature that does not verify")

    def _send_signatures(self) -> None:
        batch, self._signatures = self._signatures, []
        if self._pool is None:
            self._pool = process_pool(self.workers)
            if self._pool is None:
                self.workers = 1  # no pool here: check them in order from now on
        if self._pool is None:
            for queued in batch:
                if not self.suite.verify(*queued[3:]):
                    raise self._bad_signature(queued)
            return
        items = [q[3:] for q in batch]
        self._in_flight.append((batch, self._pool.submit(_first_bad_signature, self.suite.name, items)))
        while len(self._in_flight) > 4 * self.workers:  # bounded memory: read the oldest answer
            self._read_answer()

    def _read_answer(self) -> None:
        batch, answer = self._in_flight.pop(0)
        bad = answer.result()
        if bad >= 0:
            raise self._bad_signature(batch[bad])

    def settle_signatures(self) -> None:
        """Check every signature queued so far, in seq order; raise the first that fails; stop the
        checkers. Fewer than a batch with no pool started are checked here: a small ledger is not
        worth a pool. Called before any failure on rows already fed is raised (``verify_ledger``
        too, before replay's), so that a bad signature among them is named first, as the check in
        one process, which checks each as it comes, names it."""
        try:
            if self._signatures and self._pool is None:
                for queued in self._signatures:
                    if not self.suite.verify(*queued[3:]):
                        raise self._bad_signature(queued)
                self._signatures = []
            elif self._signatures:
                self._send_signatures()
            while self._in_flight:
                self._read_answer()
        finally:
            self._close_pool()

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._in_flight = []

    def _apply_keys(self, posting: _Posting | Deferred) -> None:
        keys = self.keys
        for s, e in posting.key_effects:
            kind, body = e["kind"], e["body"]
            if kind == "ledger.genesis":
                for field_, role in (("admin", ADMIN), ("log", LOG)):
                    keys[body[field_]["kid"]] = KeyState(public=base64.b64decode(body[field_]["public"]), role=role,
                                                         name=f"genesis {field_}", enrolled_seq=s)
            elif kind == "key.enroll":
                kid = body["key"]["kid"]
                if kid in keys:
                    raise VerifyFailure("3.8", s, "key.enroll", "a key not enrolled before", f"{kid} enrolled again")
                keys[kid] = KeyState(public=base64.b64decode(body["key"]["public"]), role=body["role"],
                                     name=body["name"], enrolled_seq=s)
            elif kind == "key.revoke":
                key = keys.get(body["kid"])
                if key is None or key.revoked_seq is not None:
                    raise VerifyFailure("3.8", s, "key.revoke", "a key in force", f"{body['kid']} not in force")
                key.revoked_seq = s
            elif kind == "key.rotate":
                views = {kid: KeyView(public=k.public, role=k.role, in_force=k.revoked_seq is None) for kid, k in keys.items()}
                problems = rotation_problems(body, origin=self.origin, suite=self.suite, poster=posting.key, keys=views)
                if problems:
                    rule, field_, message = problems[0]
                    raise VerifyFailure("3.8", s, f"key.rotate {field_}", f"a rotation its rules accept ({rule})", message)
                keys[body["old"]].revoked_seq = s
                keys[body["new"]["kid"]] = KeyState(public=base64.b64decode(body["new"]["public"]), role=body["role"],
                                                    name=new_key_name(body), enrolled_seq=s)
                if body["role"] == LOG:  # it signs the trees that hold the posting
                    self.log_keys.append((posting.first_seq + posting.n, keys[body["new"]["kid"]].public))


def _suite_named_in(genesis: bytes) -> Suite:
    """The suite a genesis entry's bytes name (ed25519-sha256 where they name none, or cannot be
    read: step 3.3 and step 2 then say what is wrong with them)."""
    try:
        return genesis_suite(orjson.loads(genesis)["body"])
    except (orjson.JSONDecodeError, TypeError, KeyError, AttributeError, ValueError):
        return DEFAULT


def _nodes_of(size: int) -> set[tuple[int, int]]:
    out = set()
    level = NODE_LEVEL
    while (1 << level) <= size:
        out |= {(level, i) for i in range(size >> level)}
        level += 1
    return out
