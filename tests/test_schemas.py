"""The edge's two deciders agree: a kind's pandera schema and the plain-Python pass over the same
fields (``contracts/schemas._clean``), which decides which frames pandera is given."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.fields import Field, problem
from contracts.kinds import KINDS
from contracts.schemas import _clean, _schema, prepare
from ledger.errors import InputError
from ledger.store import Item

# values near every field type's edges: the right type and the wrong one, blank, zero, negative,
# out of range, malformed dates and codes
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(1999, 2101), st.sampled_from([2**53 - 1, -(2**53) + 1]),
    st.sampled_from(["", " ", "x", "中文", "a-b.c_1", "A", "-x", "2024-02-29", "2023-02-29", "2024-13-01", "2024-1-01",
                     "2024-06-30T00:00:00", "1"]),
    st.text(max_size=6), st.lists(st.integers(0, 2), max_size=2), st.dictionaries(st.sampled_from("ab"), st.integers(), max_size=1))


CANDIDATES = ["a", 2024, 1, "2024-06-28", "pass", [1], ["p"], ["2024-06-28"], [{"project": "p", "amount_fen": 1}],
              {"a": 1}]


def _valid(f: Field) -> object:
    """A value the field accepts (a row of these passes; the test then breaks one or two), or None
    where no candidate fits (the indicators' list)."""
    return next((v for v in CANDIDATES if problem(f, v) is None), None)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_the_python_pass_accepts_exactly_what_the_pandera_schema_accepts(kind, data):
    fields = KINDS[kind].fields
    rows = []
    for _ in range(data.draw(st.integers(1, 3))):
        row = {name: _valid(f) for name, f in fields.items()}
        for name in data.draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=2)):
            row[name] = data.draw(VALUES, label=name)
        rows.append(row)
    try:
        _schema(kind).validate(pd.DataFrame(rows, columns=list(fields), dtype=object), lazy=True)
        pandera_accepts = True
    except pa.errors.SchemaErrors:
        pandera_accepts = False
    assert all(_clean(kind, row) for row in rows) == pandera_accepts


def test_a_clean_posting_passes_and_a_bad_one_is_named_by_pandera():
    good = {"fund": "f", "year": 2024, "payee": "p", "service": "s", "amount_wan": "1.5"}
    out = prepare([Item("fee.pay", "fee-1", good, line=1)])
    assert out[0].body["amount_fen"] == 1_500_000
    with pytest.raises(InputError) as e:
        prepare([Item("fee.pay", "fee-1", good, line=1), Item("fee.pay", "fee-2", {**good, "year": 1999, "payee": " "}, line=2)])
    assert [(dict(f.subject)["line"], f.rule, f.field, f.message) for f in e.value.findings] == [
        (2, "INPUT-BODY", "body.payee", "not blank"), (2, "INPUT-BODY", "body.year", "a year 2000-2100")]
