"""The entry kinds the ledger knows, who may post each, and the shape of the core kinds' bodies.

The core kinds here are the ones every deployment has:
``ledger.genesis``, ``key.enroll``, ``key.revoke``, ``key.rotate`` (a log or admin key replaced by a
new one: ``{"role", "old", "new": {alg, kid, public}, "reason", "endorsements": [{"kid", "sig"}]}``,
the endorsements over ``ledger.rotation.statement``), ``audit.note``, ``checkpoint.issue`` (a
checkpoint the log issued: ``{"size", "root" (hex), "note"}``, posted by the log key) and
``check.run`` (a nightly run's attestation, posted by a checks key: ``{"suite_version",
"tree_size", "root" (hex), "projections_sha256", "counts": {rule: {severity: n}}, "findings_sha256",
"engines"}``).

A body validator takes the body and returns ``(field, message)`` problems; an empty list accepts.
The kinds of the money (``fund.open``, ``project.apply`` …) are the contracts' (``ledger/interface.py``):
:func:`registry` adds them, with the roles the contracts give, to the core kinds; their bodies
are validated by the contracts, not here.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import orjson

from ledger.errors import IntegrityError
from ledger.suites import SUITES, Suite, suite_named, suite_of_alg

__all__ = ["CORE_KINDS", "ROLES", "Kind", "genesis_suite", "json_type", "registry", "stored_envelope", "validate_core_body"]

ADMIN, LOG, POSTER, AUDITOR, CHECKS = "admin", "log", "poster", "auditor", "checks"
ROLES = (ADMIN, LOG, POSTER, AUDITOR, CHECKS)
_ALGS = tuple(s.alg for s in SUITES.values())
_KID = re.compile(rf"^({'|'.join(_ALGS)}):[0-9a-f]{{32}}$")

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Kind:
    """One entry kind.

    Attributes:
      name: the ``kind`` string in the envelope.
      roles: roles whose keys may post it.
      validate: body validator, ``body -> [(field, message)]``.
      postable: whether ``fundledger post`` accepts it (the genesis is written only by ``init``).
      contracts: whether the contracts validate its body and check it at write time.
    """

    name: str
    roles: frozenset[str]
    validate: Callable[[dict[str, Any]], Problems]
    postable: bool = True
    contracts: bool = False


def _fields(body: dict[str, Any], spec: dict[str, tuple[type, bool]]) -> Problems:
    """Check required/optional fields and their JSON types; unknown fields are refused."""
    problems: Problems = []
    for name, (typ, required) in spec.items():
        if name not in body:
            if required:
                problems.append((f"body.{name}", "missing required field"))
            continue
        value = body[name]
        if typ is int:
            ok = type(value) is int
        else:
            ok = isinstance(value, typ)
        if not ok:
            problems.append((f"body.{name}", f"expected {_TYPE_NAMES[typ]}, got {json_type(value)}"))
    for name in body:
        if name not in spec:
            problems.append((f"body.{name}", "unknown field"))
    return problems


_TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "an object", bool: "true or false"}


def json_type(value: Any, *, shown: bool = False) -> str:
    """What JSON value ``value`` is, in words (``shown``: followed by the value as JSON): for a
    message that names what was found where something else belongs."""
    if value is None:
        name = "null"
    else:
        name = {str: "a string", int: "an integer", float: "a non-integer number", list: "an array",
                dict: "an object", bool: "a boolean"}.get(type(value), type(value).__name__)
    return f"{name} {orjson.dumps(value).decode()}" if shown else name


def _public_key(body: dict[str, Any], field: str) -> Problems:
    key = body.get(field)
    prefix = f"body.{field}"
    if not isinstance(key, dict):
        return [(prefix, "expected an object {alg, kid, public}")]
    problems = _fields(key, {"alg": (str, True), "kid": (str, True), "public": (str, True)})
    problems = [(f"{prefix}.{f.removeprefix('body.')}", m) for f, m in problems]
    if problems:
        return problems
    if key["alg"] not in _ALGS:
        return [(f"{prefix}.alg", f"unsupported algorithm {key['alg']!r}; one of {', '.join(_ALGS)}")]
    suite = suite_of_alg(key["alg"])
    try:
        raw = base64.b64decode(key["public"], validate=True)
    except ValueError:
        return [(f"{prefix}.public", "not valid base64")]
    if len(raw) != suite.public_size:
        return [(f"{prefix}.public", f"an {suite.alg} public key has {suite.public_size} bytes, not {len(raw)}")]
    problem = suite.public_problem(raw)
    if problem:
        return [(f"{prefix}.public", f"no {suite.alg} public key: {problem}")]
    if suite.key_id(raw) != key["kid"]:
        return [(f"{prefix}.kid", f"does not match the public key (expected {suite.key_id(raw)})")]
    return []


def _genesis(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"origin": (str, True), "admin": (dict, True), "log": (dict, True), "suite": (str, False)})
    if problems:
        return problems
    if body.get("suite", "ed25519-sha256") not in SUITES:
        return [("body.suite", f"unknown suite {body['suite']!r}; one of {', '.join(SUITES)}")]
    problems = _public_key(body, "admin") + _public_key(body, "log")
    alg = genesis_suite(body).alg
    problems += [(f"body.{f}.alg", f"the {body.get('suite', 'ed25519-sha256')} suite's keys are {alg}")
                 for f in ("admin", "log") if not problems and body[f]["alg"] != alg]
    return problems


def genesis_suite(body: dict[str, Any]) -> Suite:
    """The suite a genesis body pins: its ``suite``, or ed25519-sha256 where it has none (every
    ledger made before suites existed)."""
    return suite_named(body.get("suite", "ed25519-sha256"))


def _enroll(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"key": (dict, True), "name": (str, True), "role": (str, True)})
    if problems:
        return problems
    problems = _public_key(body, "key")
    if not body["name"].strip():
        problems.append(("body.name", "must not be empty"))
    if body["role"] not in ROLES:
        problems.append(("body.role", f"unknown role {body['role']!r}; one of {', '.join(ROLES)}"))
    return problems


def _revoke(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"kid": (str, True), "reason": (str, True)})
    if problems:
        return problems
    if not _KID.match(body["kid"]):
        problems.append(("body.kid", f"not a key id ({' or '.join(_ALGS)}, a colon and 32 hex digits)"))
    if not body["reason"].strip():
        problems.append(("body.reason", "must not be empty: say why the key is revoked"))
    return problems


def _rotate(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"role": (str, True), "old": (str, True), "new": (dict, True), "reason": (str, True),
                              "endorsements": (list, True)})
    if problems:
        return problems
    problems = _public_key(body, "new")
    if body["role"] not in (ADMIN, LOG):
        problems.append(("body.role", f"a rotation replaces a {LOG} or an {ADMIN} key, not {body['role']!r}"))
    if not _KID.match(body["old"]):
        problems.append(("body.old", f"not a key id ({' or '.join(_ALGS)}, a colon and 32 hex digits)"))
    if not body["reason"].strip():
        problems.append(("body.reason", "must not be empty: say why the key is replaced"))
    seen = set()
    for i, e in enumerate(body["endorsements"]):
        where = f"body.endorsements[{i}]"
        if not isinstance(e, dict) or e.keys() != {"kid", "sig"} or not all(isinstance(v, str) for v in e.values()):
            problems.append((where, 'expected {"kid": KEY ID, "sig": BASE64}'))
            continue
        if not _KID.match(e["kid"]) or e["kid"] in seen:
            problems.append((f"{where}.kid", "a key id, once per rotation"))
        seen.add(e["kid"])
        try:
            if len(base64.b64decode(e["sig"], validate=True)) != 64:
                problems.append((f"{where}.sig", "a signature is 64 bytes"))
        except ValueError:
            problems.append((f"{where}.sig", "not valid base64"))
    return problems


def _note(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"text": (str, True), "refs": (list, False)})
    if problems:
        return problems
    if not body["text"].strip():
        problems.append(("body.text", "must not be empty"))
    for i, ref in enumerate(body.get("refs", [])):
        if type(ref) is not int or ref < 0:
            problems.append((f"body.refs[{i}]", "expected a seq (an integer ≥ 0)"))
    return problems


_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _checkpoint(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"size": (int, True), "root": (str, True), "note": (str, True)})
    if problems:
        return problems
    if body["size"] < 1:
        problems.append(("body.size", "a checkpoint covers at least the genesis"))
    if not _HEX64.match(body["root"]):
        problems.append(("body.root", "expected 64 lowercase hex digits"))
    return problems


def _check_run(body: dict[str, Any]) -> Problems:
    """A nightly run's attestation: what it checked (tree size and root, the digest of the projection
    rows), with which suite, what it found."""
    problems = _fields(body, {"suite_version": (str, True), "tree_size": (int, True), "root": (str, True),
                              "projections_sha256": (str, True), "counts": (dict, True),
                              "findings_sha256": (str, True), "engines": (dict, True)})
    if problems:
        return problems
    if body["tree_size"] < 1:
        problems.append(("body.tree_size", "a run checks at least the genesis"))
    for field in ("root", "projections_sha256", "findings_sha256"):
        if not _HEX64.match(body[field]):
            problems.append((f"body.{field}", "expected 64 lowercase hex digits"))
    for rule, by_severity in body["counts"].items():
        if not isinstance(by_severity, dict) or not all(
                k in ("fatal", "warning") and type(v) is int and v > 0 for k, v in by_severity.items()):
            problems.append((f"body.counts.{rule}", "expected {\"fatal\"|\"warning\": a positive count}"))
    return problems


def _by_contracts(body: dict[str, Any]) -> Problems:
    """A kind of the contracts: its body is validated by ``Contracts.prepare``, not here."""
    return []


CORE_KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("ledger.genesis", frozenset({LOG}), _genesis, postable=False),
        Kind("key.enroll", frozenset({ADMIN}), _enroll),
        Kind("key.revoke", frozenset({ADMIN}), _revoke),
        Kind("key.rotate", frozenset({ADMIN}), _rotate),
        Kind("audit.note", frozenset(ROLES), _note),
        Kind("checkpoint.issue", frozenset({LOG}), _checkpoint),
        Kind("check.run", frozenset({CHECKS}), _check_run),
    )
}


def registry(contract_kinds: Mapping[str, frozenset[str]]) -> dict[str, Kind]:
    """The kinds of a ledger: the core kinds and the contracts' kinds (name → roles allowed)."""
    clash = sorted(set(contract_kinds) & set(CORE_KINDS))
    if clash:
        raise ValueError(f"the contracts declare kinds the ledger core owns: {', '.join(clash)}")
    unknown = sorted({r for roles in contract_kinds.values() for r in roles} - set(ROLES))
    if unknown:
        raise ValueError(f"the contracts name roles the ledger does not know: {', '.join(unknown)}")
    return {**CORE_KINDS, **{name: Kind(name, frozenset(roles), _by_contracts, contracts=True)
                             for name, roles in contract_kinds.items()}}


def validate_core_body(kind: str, body: dict[str, Any]) -> Problems:
    """The body problems of a core kind (the key kinds' bodies are checked again by ``verify``)."""
    return CORE_KINDS[kind].validate(body)


def stored_envelope(seq: int, data: bytes, kinds: dict[str, Kind], reader: str) -> dict[str, Any]:
    """A stored entry's envelope, with what its readers rely on (not all that ``verify`` checks): its
    seq, a known kind, a string idem, a posting with an integer size and a string key, a body object,
    and a core kind's body as its kind's rules have it (the contracts' kinds: replay's
    ``_stored_form``). Anything else was written by hand: an integrity failure naming the seq,
    said by ``reader`` (replay, a trail), not a crash."""
    try:
        env = orjson.loads(data)
        posting = env["posting"]
        if env["seq"] != seq or type(env["seq"]) is not int or type(env["kind"]) is not str or env["kind"] not in kinds \
                or type(env["idem"]) is not str or type(posting["n"]) is not int or type(posting["key"]) is not str \
                or not isinstance(env["body"], dict):
            raise ValueError
        bytes.fromhex(env["prev"])
        kind = kinds[env["kind"]]
        if not kind.contracts and kind.validate(env["body"]):
            raise ValueError
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise IntegrityError(f"{reader}: seq {seq} is not a well-formed entry; run `fundledger verify`") from None
    return env
