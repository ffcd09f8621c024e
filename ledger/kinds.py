"""The entry kinds the ledger knows, who may post each, and the shape of the core kinds' bodies.

The ledger itself knows only the names of the money kinds; their bodies are validated by
``contracts/`` (pandera models and rules). The core kinds here are the ones every deployment has:
``ledger.genesis``, ``key.enroll``, ``key.revoke``, ``audit.note``, ``checkpoint.issue`` (a
checkpoint the log issued: ``{"size", "root" (hex), "note"}``, posted by the log key) and
``check.run`` (a nightly run's attestation, posted by a checks key: ``{"suite_version",
"tree_size", "root" (hex), "counts": {rule: {severity: n}}, "findings_sha256", "engines"}``).

A body validator takes the body and returns ``(field, message)`` problems; an empty list accepts.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Callable

from ledger.keys import ALG, key_id

__all__ = ["KINDS", "MONEY_KINDS", "ROLES", "Kind", "validate_body"]

ADMIN, LOG, POSTER, AUDITOR, CHECKS = "admin", "log", "poster", "auditor", "checks"
ROLES = (ADMIN, LOG, POSTER, AUDITOR, CHECKS)
_KID = re.compile(r"^ed25519:[0-9a-f]{32}$")

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Kind:
    """One entry kind.

    Attributes:
      name: the ``kind`` string in the envelope.
      roles: roles whose keys may post it.
      validate: body validator, ``body -> [(field, message)]``.
      postable: whether ``fundledger post`` accepts it (the genesis is written only by ``init``).
      contracts: whether ``contracts/`` validates its body and checks it at write time.
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
            problems.append((f"body.{name}", f"expected {_TYPE_NAMES[typ]}, got {_json_type(value)}"))
    for name in body:
        if name not in spec:
            problems.append((f"body.{name}", "unknown field"))
    return problems


_TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "an object", bool: "true or false"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {str: "a string", int: "an integer", list: "an array", dict: "an object", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _public_key(body: dict[str, Any], field: str) -> Problems:
    key = body.get(field)
    prefix = f"body.{field}"
    if not isinstance(key, dict):
        return [(prefix, "expected an object {alg, kid, public}")]
    problems = _fields(key, {"alg": (str, True), "kid": (str, True), "public": (str, True)})
    problems = [(f"{prefix}.{f.removeprefix('body.')}", m) for f, m in problems]
    if problems:
        return problems
    if key["alg"] != ALG:
        return [(f"{prefix}.alg", f"unsupported algorithm {key['alg']!r}; this ledger knows {ALG!r}")]
    try:
        raw = base64.b64decode(key["public"], validate=True)
    except ValueError:
        return [(f"{prefix}.public", "not valid base64")]
    if len(raw) != 32:
        return [(f"{prefix}.public", f"an Ed25519 public key has 32 bytes, not {len(raw)}")]
    if key_id(raw) != key["kid"]:
        return [(f"{prefix}.kid", f"does not match the public key (expected {key_id(raw)})")]
    return []


def _genesis(body: dict[str, Any]) -> Problems:
    problems = _fields(body, {"origin": (str, True), "admin": (dict, True), "log": (dict, True)})
    if problems:
        return problems
    return _public_key(body, "admin") + _public_key(body, "log")


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
        problems.append(("body.kid", "not a key id (ed25519: followed by 32 hex digits)"))
    if not body["reason"].strip():
        problems.append(("body.reason", "must not be empty: say why the key is revoked"))
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
    """A nightly run's attestation: what it checked (tree size and root), with which suite, what it found."""
    problems = _fields(body, {"suite_version": (str, True), "tree_size": (int, True), "root": (str, True),
                              "counts": (dict, True), "findings_sha256": (str, True), "engines": (dict, True)})
    if problems:
        return problems
    if body["tree_size"] < 1:
        problems.append(("body.tree_size", "a run checks at least the genesis"))
    for field in ("root", "findings_sha256"):
        if not _HEX64.match(body[field]):
            problems.append((f"body.{field}", "expected 64 lowercase hex digits"))
    for rule, by_severity in body["counts"].items():
        if not isinstance(by_severity, dict) or not all(
                k in ("fatal", "warning") and type(v) is int and v > 0 for k, v in by_severity.items()):
            problems.append((f"body.counts.{rule}", "expected {\"fatal\"|\"warning\": a positive count}"))
    return problems


def _by_contracts(body: dict[str, Any]) -> Problems:
    """The money kinds' bodies are validated by contracts/ (pandera, per posting), not here."""
    return []


# The fund lifecycle: the ledger knows their names and who posts them; contracts/ knows the rest.
MONEY_KINDS = (
    "fund.open", "budget.adjust", "budget.transfer", "policy.publish", "project.apply", "review.decide",
    "approval.resolve", "notice.open", "notice.close", "disbursement.pay", "disbursement.return", "fee.pay",
    "expense.other", "correction.reverse", "report.state", "performance.indicators",
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("ledger.genesis", frozenset({LOG}), _genesis, postable=False),
        Kind("key.enroll", frozenset({ADMIN}), _enroll),
        Kind("key.revoke", frozenset({ADMIN}), _revoke),
        Kind("audit.note", frozenset(ROLES), _note),
        Kind("checkpoint.issue", frozenset({LOG}), _checkpoint),
        Kind("check.run", frozenset({CHECKS}), _check_run),
        *(Kind(name, frozenset({POSTER}), _by_contracts, contracts=True) for name in MONEY_KINDS),
    )
}


def validate_body(kind: str, body: dict[str, Any]) -> Problems:
    return KINDS[kind].validate(body)
