"""The rules of the money: one folder per rule, and the registry that finds them.

A rule is one folder, ``contracts/rules/<id>/`` (``CAP-RATIO`` → ``cap_ratio/``), holding all of it:

- ``__init__.py``: ``RULE`` (:class:`~contracts.rules.base.Rule`: id, severity, message, its
  Chinese, what an offending nightly row is, the kinds it guards, the table it reads); its
  write-time check, the functions listed in ``WRITE_TIME`` (called by the kinds' checks in
  ``by_kind.py``, in the order a kind's checks run); its pandera check, ``FRAMES``
  (:class:`~contracts.rules.base.FrameRule` over the frames of ``checks/frames.py``);
- ``nightly.sql``: its nightly query for Great Expectations (``checks/sqlrules.py`` says its form);
- ``plant.sql``: a state that breaks it, planted straight into the fixture ledger's tables by
  ``tests/test_nightly.py``, with the subject both engines must name (``-- finds: {…}``).

Its write-time tests, a posting it accepts and one it refuses, are in ``tests/test_rules.py``
(many rules share one set-up there); a test requires both for every rule.

The registry imports every folder when this package is imported and refuses to load (``RegistryError``)
if a folder lacks a part: a rule without a write-time check (unless it is nightly only), a nightly
query, a planted state or a pandera check (``DATA-RANGE``'s is the pandera schemas' column checks,
``columns()``; ``CHECK-ENGINES`` is the comparison of the two engines in ``checks/nightly.py`` and
has neither query nor plant). ``tests/test_rules.py`` also calls :func:`problems` on every folder.

Versions: ``CONTRACTS_VERSION`` (``contracts/api.py``) is the version of this rule set, recorded by every posting. A
release that adds a rule raises it by one and registers the rule with ``since`` = the new version;
a rule is never made stricter in place (a stricter check is a new rule, with its own id and
``since``), so a posting is always judged by the rules its version had. At replay, a fatal finding
of a rule newer than the posting's version is a warning: the rule was added after the fact.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from contracts.rules.base import Rule

__all__ = ["FOLDERS", "NIGHTLY_ONLY", "RULES", "RULES_DIR", "RegistryError", "Rule", "folder_of",
           "problems", "readme_table"]

RULES_DIR = Path(__file__).resolve().parent
# rules that only the nightly run applies: write time refuses such input at the edge (INPUT-*)
NIGHTLY_ONLY = frozenset({"DATA-RANGE", "CHECK-ENGINES"})


class RegistryError(Exception):
    """A rule folder lacks a part, or names itself wrongly."""


def folder_of(rule_id: str) -> str:
    """The folder of a rule: ``CAP-RATIO`` → ``cap_ratio``."""
    return rule_id.lower().replace("-", "_")


def problems(module: ModuleType) -> list[str]:
    """What a rule folder lacks (empty if it is complete)."""
    rule = getattr(module, "RULE", None)
    name = module.__name__.rsplit(".", 1)[-1]
    if not isinstance(rule, Rule):
        return [f"{name}: no RULE"]
    out = []
    here = Path(module.__file__).parent
    if folder_of(rule.id) != name:
        out.append(f"{name}: holds {rule.id}, whose folder is {folder_of(rule.id)}")
    if rule.id not in NIGHTLY_ONLY and not (getattr(module, "WRITE_TIME", ()) and rule.kinds):
        out.append(f"{rule.id}: no write-time check (WRITE_TIME) or no kinds it guards")
    if rule.id != "CHECK-ENGINES":
        for part in ("nightly.sql", "plant.sql"):
            if not (here / part).is_file():
                out.append(f"{rule.id}: no {part}")
        if not rule.table or not rule.offending:
            out.append(f"{rule.id}: no table or no offending-row description for its nightly query")
        if not (getattr(module, "FRAMES", ()) or hasattr(module, "columns")):
            out.append(f"{rule.id}: no pandera check (FRAMES)")
    strays = sorted({f.rule for f in getattr(module, "FRAMES", ()) if f.rule != rule.id})
    if strays:
        out.append(f"{rule.id}: its FRAMES check {', '.join(strays)}, another rule's")
    return out


def _discover() -> dict[str, ModuleType]:
    folders: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules([str(RULES_DIR)]), key=lambda i: i.name):
        if info.ispkg:
            folders[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    missing = [p for m in folders.values() for p in problems(m)]
    if missing:
        raise RegistryError("incomplete rule folders under contracts/rules/: " + "; ".join(missing))
    return folders


FOLDERS: dict[str, ModuleType] = {m.RULE.id: m for m in _discover().values()}
RULES: dict[str, Rule] = {rule_id: m.RULE for rule_id, m in FOLDERS.items()}


def readme_table() -> str:
    """The README's rule table, generated from the registry (a test requires the README to hold it)."""
    rows = ["| rule | severity | folder (`contracts/rules/`) | kinds it guards at write time | requires |",
            "| --- | --- | --- | --- | --- |"]
    for rule in RULES.values():
        kinds = ", ".join(f"`{k}`" for k in rule.kinds) or "nightly only"
        rows.append(f"| `{rule.id}` | {rule.severity} | `{folder_of(rule.id)}/` | {kinds} | {rule.message} |")
    return "\n".join(rows) + "\n"
