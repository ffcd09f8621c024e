"""The layers, enforced: an import never runs back up.

    fundledger/   the CLI and the demo: wire everything together
    checks/       the nightly run
    contracts/    the rules of the money (reach the ledger through ledger/interface.py)
    ledger/       the core: knows nothing about budgets
    migrations/   the schema: may use ledger/ and contracts/ (their models and backfill helpers)

Every import counts, at module level or inside a function, and so does ``importlib.import_module``
with a literal name: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["ledger", "contracts", "checks", "fundledger"]  # bottom to top
MAY_IMPORT = {pkg: set(ORDER[:i + 1]) for i, pkg in enumerate(ORDER)}
MAY_IMPORT["migrations"] = {"ledger", "contracts", "migrations"}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            out.append((node.lineno, node.args[0].value.split(".")[0]))
    return out


def violations(package: str) -> list[str]:
    ours = set(MAY_IMPORT)
    return [f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in sorted((ROOT / package).rglob("*.py"))
            for line, name in imports(path) if name in ours and name not in MAY_IMPORT[package]]


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_no_import_runs_back_up(package):
    assert violations(package) == []


def test_the_check_sees_an_import_that_runs_back_up(tmp_path):
    """The check itself, both ways: an upward import inside a function is found; a downward one is not."""
    module = tmp_path / "m.py"
    module.write_text("from ledger.store import Ledger\n\ndef f():\n    from contracts.engine import run\n"
                      "    importlib.import_module('checks.nightly')\n", encoding="utf-8")
    found = [name for _, name in imports(module) if name not in MAY_IMPORT["ledger"]]
    assert found == ["contracts", "checks"]
