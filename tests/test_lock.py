"""The lock file (``requirements.lock``, hashes for every distribution) agrees with ``pyproject.toml``,
and the tests run on exactly the set it pins (the README's commands and ``.ci/run`` install from it)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _lock() -> dict[str, tuple[str, list[str]]]:
    """{name: (version, [sha256 hashes])} of requirements.lock."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if m := _PIN.match(line):
            current = canonicalize_name(m.group(1))
            pins[current] = (m.group(2), [])
        elif current and (h := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current][1].append(h.group(1))
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"]]]


def test_every_declared_dependency_is_locked_within_its_range():
    pins = _lock()
    for req in _declared():
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req} is in pyproject.toml but not in requirements.lock: run the command at its top"
        assert req.specifier.contains(pins[name][0], prereleases=True), \
            f"requirements.lock pins {name}=={pins[name][0]}, outside pyproject.toml's {req}"


def test_every_locked_distribution_has_hashes_and_the_lock_says_how_it_was_made():
    pins = _lock()
    assert len(pins) > 40
    assert [n for n, (_, hashes) in pins.items() if not hashes] == []
    header = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[1]
    assert "uv pip compile pyproject.toml --extra test --generate-hashes" in header


def test_the_tests_run_on_the_locked_versions():
    """What is installed here is what the lock pins: CI tests exactly the locked set."""
    differ = {}
    for name, (version, _) in _lock().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = (version, installed)
    assert differ == {}, f"installed versions differ from requirements.lock (locked, installed): {differ}"
