"""``fundledger post --stream``: a long-lived poster reading postings from a pipe.

One line is one posting: a JSON object is a one-entry posting; a JSON array of objects is a
posting of those entries, appended all or nothing. Each entry is ``{"kind", "idem", "body"}`` as
in ``fundledger post``. Blank lines are skipped. For each posting, as soon as it is committed (or
refused), one JSON line answers on stdout:

    {"line": 7, "ok": true, "exit": 0, "receipts": [{"idem", "seq", "hash", "status"}, ...], "warnings": [...]}
    {"line": 8, "ok": false, "exit": 1, "error": "...", "findings": [...]}

``exit`` is the code ``fundledger post`` would have exited with for that posting alone. A refused
posting does not stop the stream; neither does a database failure (exit 5): the next posting
reconnects. A posting retried with the same idems is appended once (its receipts say
``duplicate``), so a poster that lost an answer retries and learns where its entries are. At the
end of input the process exits 0 if every posting was appended, else with the first failure's code.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ledger.canonical import parse_json
from ledger.errors import Error, InputError
from ledger.findings import FATAL, Finding, findings_to_json, subject
from ledger.inputs import validate_item
from ledger.keys import Signer
from ledger.store import Item, Ledger

__all__ = ["parse_posting_line", "stream_postings"]


def _problem(rule: str, line: int, field: str, message: str, idem: str | None = None) -> Finding:
    return Finding(rule=rule, severity=FATAL, field=field, subject=subject(line=line, idem=idem), message=message)


def parse_posting_line(raw: bytes, line: int) -> list[Item]:
    """One line's posting; :class:`InputError` (exit 2) naming the line, the entry and the field."""
    try:
        obj = parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"line {line}: not UTF-8", (_problem("INPUT-JSON", line, "", f"not UTF-8 (byte {e.start})"),)) from None
    except ValueError as e:
        raise InputError(f"line {line}: not strict JSON", (_problem("INPUT-JSON", line, "", f"not strict JSON: {e}"),)) from None
    entries = obj if isinstance(obj, list) else [obj]
    findings: list[Finding] = []
    items: list[Item] = []
    seen: set[str] = set()
    if not entries:
        findings.append(_problem("INPUT-EMPTY", line, "", "an empty array: a posting needs at least one entry"))
    for i, entry in enumerate(entries):
        item, problems = validate_item(entry, line)
        where = f"[{i}]" if isinstance(obj, list) else ""
        findings += [Finding(rule=p.rule, severity=p.severity, message=p.message, subject=p.subject,
                             field=f"{where}.{p.field}" if where and p.field else (where or p.field))
                     for p in problems]
        if item is None:
            continue
        if item.idem in seen:
            findings.append(_problem("INPUT-IDEM-DUP", line, f"{where}.idem", f"idem {item.idem!r} twice in this posting",
                                     item.idem))
            continue
        seen.add(item.idem)
        items.append(item)
    if findings:
        n = len(findings)
        raise InputError(f"line {line}: {n} problem{'s' if n > 1 else ''}; nothing was appended", tuple(findings))
    return items


def stream_postings(ledger: Ledger, signer: Signer, lines: Iterable[bytes], answer: Callable[[dict[str, Any]], None],
                    *, dry_run: bool = False) -> int:
    """Post each line as it comes; answer each; the exit code for the whole stream."""
    first_failure = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            posted = ledger.post(signer, parse_posting_line(raw, number), dry_run=dry_run)
        except Error as e:
            answer({"line": number, "ok": False, "exit": e.exit_code, "error": e.message,
                    "findings": findings_to_json(e.findings)})
            first_failure = first_failure or e.exit_code
            continue
        answer({"line": number, "ok": True, "exit": 0, "receipts": [r.as_dict() for r in posted.receipts],
                "warnings": findings_to_json(posted.warnings)})
    return first_failure
