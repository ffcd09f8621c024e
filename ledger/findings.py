"""The one shape of a finding, its renderers (text, JSON), and the verdict computed in one place.

A finding is a value, never an exception: input validation, write-time contracts and the nightly
checks all return ``Finding`` tuples; the CLI decides the exit code from the worst severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["FATAL", "WARNING", "Finding", "subject", "findings_to_csv", "findings_to_json", "findings_to_text", "worst"]

FATAL = "fatal"
WARNING = "warning"

@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's verdict on one subject.

    Attributes:
      rule: stable rule id, e.g. ``INPUT-FIELD`` or ``CAP-RATIO``.
      severity: ``fatal`` (rejects) or ``warning`` (reported, appended anyway).
      subject: what the finding is about: ``line``/``idem``/``seq`` and, where they apply, fund,
        year, clause, enterprise. Kept as a tuple of pairs so the finding stays immutable.
      field: the body field or column the rule looked at (``body.text``), or ``""``.
      expected, actual, difference: the figures on both sides, as strings (amounts exact).
      message: one sentence a person can act on.
    """

    rule: str
    severity: str
    message: str
    subject: tuple[tuple[str, Any], ...] = ()
    field: str = ""
    expected: str | None = None
    actual: str | None = None
    difference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": dict(self.subject),
            "field": self.field,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "message": self.message,
        }


def subject(**parts: Any) -> tuple[tuple[str, Any], ...]:
    """Build a finding subject from keyword parts, dropping the ones that are None."""
    return tuple((k, v) for k, v in parts.items() if v is not None)


def worst(findings: Iterable[Finding]) -> str | None:
    """The overall verdict in one place: ``fatal`` if any finding is fatal, else ``warning`` or None."""
    result = None
    for f in findings:
        if f.severity == FATAL:
            return FATAL
        result = WARNING
    return result


def _subject_text(f: Finding) -> str:
    return " ".join(f"{k}={v}" for k, v in f.subject)


def findings_to_text(findings: Iterable[Finding]) -> str:
    lines = []
    for f in findings:
        where = _subject_text(f)
        head = f"{f.severity.upper()} {f.rule}" + (f" [{where}]" if where else "")
        if f.field:
            head += f" {f.field}"
        lines.append(f"{head}: {f.message}")
        figures = [(n, v) for n, v in (("expected", f.expected), ("actual", f.actual), ("difference", f.difference)) if v is not None]
        if figures:
            lines.append("    " + ", ".join(f"{n} {v}" for n, v in figures))
    return "\n".join(lines)


def findings_to_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in findings]


CSV_COLUMNS = ("rule", "severity", "subject", "field", "expected", "actual", "difference", "message")


def findings_to_csv(findings: Iterable[Finding]) -> str:
    """One row per finding, for spreadsheets: the subject as ``key=value`` pairs joined by spaces."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        writer.writerow([f.rule, f.severity, _subject_text(f), f.field, f.expected or "", f.actual or "",
                         f.difference or "", f.message])
    return out.getvalue()
