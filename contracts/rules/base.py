"""What a rule folder is made of: its metadata (:class:`Rule`), the findings its write-time check
gives (:func:`finding`), and its pandera check (:class:`FrameRule`, with the column helpers the
frame checks share). ``contracts/rules/__init__.py`` says how a folder is laid out.

Importing this module loads no data-frame library: pandas is imported by the helpers that build
a column, when the nightly run calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.findings import FATAL, WARNING, Finding, subject

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FATAL", "WARNING", "FrameRule", "Rule", "binding_cap", "column", "constant", "finding", "na_false",
           "no_value", "policy_in_force", "subject_columns", "won"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the money.

    Attributes:
      id: the stable rule id (``CAP-RATIO``); its folder is the id in lower case with ``_`` for ``-``.
      severity: ``fatal`` (refuses the posting, exit 1) or ``warning`` (reported; appended anyway).
      message: what the rule requires, in one sentence.
      zh: the same, in Chinese, for the audit bureau's pages and working papers.
      offending: what a row the nightly rule names is, in one sentence: the message of its nightly
        findings and the description of its expectation in the GX project.
      kinds: the entry kinds whose write-time checks apply it (empty: nightly only).
      table: the projection table its nightly query validates (GX's batch), ``""`` if it has none.
      unit: how its nightly findings show expected and actual: ``fen`` (amounts, shown in 万元),
        ``points`` (a score in ten-thousandths of a point, shown as 14.55), or ``""`` (as they are).
      since: the contracts version that added it.
    """

    id: str
    severity: str
    message: str
    zh: str
    offending: str = ""
    kinds: tuple[str, ...] = ()
    table: str = ""
    unit: str = ""
    since: int = 1


def finding(rule: str, item: Any, message: str, *, field: str = "", expected: Any = None, actual: Any = None,
            difference: Any = None, **where: Any) -> Finding:
    """A write-time finding of ``rule`` on the entry ``item`` (its line and idem), about ``where``."""
    from contracts.rules import RULES

    return Finding(rule=rule, severity=RULES[rule].severity, message=message, field=field,
                   expected=None if expected is None else str(expected), actual=None if actual is None else str(actual),
                   difference=None if difference is None else str(difference),
                   subject=subject(line=item.line, idem=item.idem, **where))


# -- lookups the write-time checks share -------------------------------------------------------
def policy_in_force(state: Any, project: dict[str, Any], on: str | None) -> dict[str, Any] | None:
    """The document of the project's policy version in force on the business date ``on``."""
    found = state.policy(project["policy"], on)
    return found[1] if found else None


def binding_cap(caps: list[Any]) -> int | None:
    """The lowest of the caps that could be computed (the one an award must fit), or None."""
    known = [c.fen for c in caps if c.fen is not None]
    return min(known) if known else None


# -- the pandera engine's frame checks ---------------------------------------------------------
FrameColumn = Callable[["pd.DataFrame"], "pd.Series"]


@dataclass(frozen=True, slots=True)
class FrameRule:
    """One rule over one frame of ``checks/frames.py``: ``ok`` is True on the rows that keep it;
    ``columns`` maps the finding's columns (its subject, ``expected``, ``actual``) to expressions
    over the frame."""

    rule: str
    frame: str
    ok: FrameColumn
    columns: dict[str, FrameColumn]


def column(name: str) -> FrameColumn:
    """The frame's column ``name``."""
    return lambda df: df[name]


def no_value(df: pd.DataFrame) -> pd.Series:
    """A column of nothing: the finding gives no expected (or actual) value."""
    import pandas as pd

    return pd.Series([None] * len(df), index=df.index, dtype=object)


def constant(value: int) -> FrameColumn:
    """A column holding ``value`` on every row."""
    def values(df: pd.DataFrame) -> pd.Series:
        import pandas as pd

        return pd.Series(value, index=df.index)
    return values


def subject_columns(*names: str, expected: FrameColumn | None = None,
                    actual: FrameColumn | None = None) -> dict[str, FrameColumn]:
    """The columns of a finding: the subject's columns by name, then expected and actual."""
    return {**{n: column(n) for n in names}, "expected": expected or no_value, "actual": actual or no_value}


def won(df: pd.DataFrame) -> pd.Series:
    """The rows of approved projects."""
    return df["status"] == "approved"


def na_false(s: pd.Series) -> pd.Series:
    """A nullable boolean column with missing values counted as False."""
    return s.fillna(False).astype(bool)
