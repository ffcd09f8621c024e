"""Bad input: a clear error naming the line and field, exit 2, and the ledger untouched."""

from __future__ import annotations

import json

import pytest

from ledger.errors import InputError
from ledger.inputs import parse_lines
from ledger.store import Item, enroll_item
from tests.support import note

GOOD = note("good-1")

CASES = {
    # name: (input lines, rule, expected line, expected field)
    "malformed JSON": ([GOOD, '{"kind": "audit.note", "idem": '], "INPUT-JSON", 2, ""),
    "not an object": (["[1, 2]"], "INPUT-ENTRY", 1, ""),
    "missing field": ([GOOD, '{"kind": "audit.note", "idem": "x"}'], "INPUT-ENTRY", 2, "body"),
    "unknown line field": (['{"kind": "audit.note", "idem": "x", "body": {"text": "t"}, "seq": 5}'], "INPUT-ENTRY", 1, "seq"),
    "unknown kind": ([GOOD, '{"kind": "award.magic", "idem": "x", "body": {}}'], "INPUT-KIND", 2, "kind"),
    "genesis not postable": (['{"kind": "ledger.genesis", "idem": "x", "body": {}}'], "INPUT-KIND", 1, "kind"),
    "wrong type": ([GOOD, '{"kind": "audit.note", "idem": "x", "body": {"text": 42}}'], "INPUT-BODY", 2, "body.text"),
    "missing body field": (['{"kind": "audit.note", "idem": "x", "body": {}}'], "INPUT-BODY", 1, "body.text"),
    "unknown body field": (['{"kind": "audit.note", "idem": "x", "body": {"text": "t", "amount": 5}}'], "INPUT-BODY", 1, "body.amount"),
    "float amount": (['{"kind": "audit.note", "idem": "x", "body": {"text": "t", "refs": [1.0]}}'], "INPUT-DOMAIN", 1, "body.refs[0]"),
    "integer too large": (['{"kind": "audit.note", "idem": "x", "body": {"text": "t", "refs": [9007199254740992]}}'], "INPUT-DOMAIN", 1, "body.refs[0]"),
    "non-ASCII key": (['{"kind": "audit.note", "idem": "x", "body": {"text": "t", "备注": "x"}}'], "INPUT-DOMAIN", 1, "body"),
    "lone surrogate": (['{"kind": "audit.note", "idem": "x", "body": {"text": "\\udc00"}}'], "INPUT-DOMAIN", 1, "body.text"),
    "empty idem": (['{"kind": "audit.note", "idem": "", "body": {"text": "t"}}'], "INPUT-IDEM", 1, "idem"),
    "duplicate idem in one posting": ([GOOD, note("n2"), GOOD], "INPUT-IDEM-DUP", 3, "idem"),
    "duplicate key in a line": (['{"kind": "audit.note", "idem": "x", "body": {"text": "a", "text": "b"}}'], "INPUT-JSON", 1, ""),
    "not UTF-8": ([GOOD, b'{"kind": "audit.note", "idem": "x", "body": {"text": "\xff"}}'], "INPUT-JSON", 2, ""),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_names_line_and_field_and_appends_nothing(env, name):
    lines, rule, line, field = CASES[name]
    data = b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n"
    before = env.size_and_head()
    result = env.run("post", "--key", env.key_path("poster"), "--json", input=data)
    assert result.exit_code == 2, result.output
    report = json.loads(result.output)
    assert report["exit"] == 2
    hits = [f for f in report["findings"] if f["rule"] == rule]
    assert hits, report
    assert hits[0]["subject"].get("line") == line
    assert hits[0]["field"] == field
    assert hits[0]["severity"] == "fatal" and hits[0]["message"]
    assert env.size_and_head() == before


def test_empty_input(env):
    before = env.size_and_head()
    result = env.run("post", "--key", env.key_path("poster"), input="\n  \n")
    assert result.exit_code == 2
    assert "INPUT-EMPTY" in result.output
    assert env.size_and_head() == before


def test_file_that_does_not_exist(env):
    before = env.size_and_head()
    result = env.run("post", str(env.dir / "missing.jsonl"), "--key", env.key_path("poster"))
    assert result.exit_code == 2
    assert "missing.jsonl: no such file" in result.output
    assert env.size_and_head() == before


def test_human_output_names_line_and_field(env):
    result = env.run("post", "--key", env.key_path("poster"),
                     input=GOOD + '\n{"kind": "audit.note", "idem": "x", "body": {"text": 42}}\n')
    assert result.exit_code == 2
    assert "INPUT-BODY [line=2 idem=x] body.text: expected a string, got an integer" in result.output


def test_every_problem_of_a_posting_is_reported_at_once(env):
    result = env.run("post", "--key", env.key_path("poster"), "--json",
                     input='{"kind": "nope", "idem": "a", "body": {}}\n{"kind": "audit.note", "idem": "b", "body": {"text": 1}}\n')
    rules = sorted(f["rule"] for f in json.loads(result.output)["findings"])
    assert rules == ["INPUT-BODY", "INPUT-KIND"]


def test_a_good_posting_from_a_file(env, tmp_path):
    path = tmp_path / "valid_notes.jsonl"
    path.write_text(note("f1") + "\n\n" + note("f2") + "\n", encoding="utf-8")
    result = env.run("post", str(path), "--key", env.key_path("poster"))
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 2


# -- the same edge for entries built in code (Ledger.post, post_many) --------------------------------
def _enrolment_with_an_extra_field(env) -> list[Item]:
    return [Item("key.enroll", "enroll-x", {**enroll_item(env.auditor.public, "audit bureau", "auditor").body, "extra": 1})]


API_CASES = {
    # name: (signer, items built in code, rule, field). Before the edge was applied to them, the first
    # two were appended and left a ledger that verify refuses for good (3.8 and 3.3).
    "a key enrolment with a field 3.8 refuses": ("admin", _enrolment_with_an_extra_field, "INPUT-BODY", "body.extra"),
    "an integer beyond 2^53 (3.3)": ("poster", lambda env: [Item("audit.note", "x", {"text": "t", "refs": [2**60]})],
                                     "INPUT-DOMAIN", "body.refs[0]"),
    "a float": ("poster", lambda env: [Item("audit.note", "x", {"text": "t", "refs": [1.5]})],
                "INPUT-DOMAIN", "body.refs[0]"),
    "a non-ASCII key": ("poster", lambda env: [Item("audit.note", "x", {"text": "t", "备注": "x"})],
                        "INPUT-DOMAIN", "body"),
    "the wrong type": ("poster", lambda env: [Item("audit.note", "x", {"text": 42})], "INPUT-BODY", "body.text"),
    "a kind the ledger writes itself": ("admin", lambda env: [Item("ledger.genesis", "x", {})], "INPUT-KIND", "kind"),
    "an idem too long": ("poster", lambda env: [Item("audit.note", "x" * 201, {"text": "t"})], "INPUT-IDEM", "idem"),
    "the same idem twice": ("poster", lambda env: [Item("audit.note", "x", {"text": "a"}),
                                                   Item("audit.note", "x", {"text": "b"})], "INPUT-IDEM-DUP", "idem"),
    "the same idem from two parsed files": ("poster", lambda env: [*parse_lines([note("x")], "a", kinds=env.ledger.kinds),
                                                                   *parse_lines([note("x")], "b", kinds=env.ledger.kinds)],
                                            "INPUT-IDEM-DUP", "idem"),
}


@pytest.mark.parametrize("name", list(API_CASES))
def test_an_entry_built_in_code_passes_the_same_edge(env, name):
    """``Ledger.post`` refuses what the command line refuses, naming the idem, the field and the
    rule, before any transaction: nothing is appended, and the ledger still verifies. Well-formed
    items built in code are then appended, and verify."""
    signer, make, rule, field = API_CASES[name]
    items = make(env)
    before = env.size_and_head()
    with pytest.raises(InputError) as refused:
        env.ledger.post(getattr(env, signer), items)
    first = refused.value.findings[0]
    assert (first.rule, first.field, dict(first.subject)["idem"]) == (rule, field, items[-1].idem)
    assert env.size_and_head() == before
    good = [Item("audit.note", f"good-{k}", {"text": "t"}) for k in range(len(items))]
    assert [r.status for r in env.ledger.post(env.poster, good).receipts] == ["appended"] * len(items)
    assert env.run("verify").exit_code == 0


def test_a_stream_refuses_a_bad_posting_built_in_code_and_appends_the_others(env):
    results = env.ledger.post_many(env.poster, [[Item("audit.note", "s1", {"text": "a"})],
                                                [Item("audit.note", "s2", {"text": "b", "refs": [2**60]})],
                                                [Item("audit.note", "s3", {"text": "c"})]])
    assert [type(r).__name__ for r in results] == ["Posted", "InputError", "Posted"]
    assert [(f.rule, f.field) for f in results[1].findings] == [("INPUT-DOMAIN", "body.refs[0]")]
    assert env.ledger.head().size == 5 and env.run("verify").exit_code == 0
