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
Postings already waiting on the pipe share one transaction and one commit (each with its own
savepoint, signature and answer): the commit, not the poster, is what limits the rate.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable

from ledger.errors import Error
from ledger.findings import findings_to_json
from ledger.inputs import parse_posting_line
from ledger.keys import Signer
from ledger.store import Item, Ledger, Posted

__all__ = ["GROUP", "stream_postings"]

GROUP = 200  # postings at most in one transaction


def stream_postings(ledger: Ledger, signer: Signer, lines: Iterable[bytes], answer: Callable[[dict[str, Any]], None],
                    *, dry_run: bool = False) -> int:
    """Post each line as it comes; answer each in order; the exit code for the whole stream.

    Lines that are already waiting when a posting begins go into the same transaction (a group
    commit, up to ``GROUP`` postings): each is still all or nothing on its own (a savepoint each),
    each still gets its own answer, and none is answered before its commit. A lone line is posted
    at once.
    """
    waiting: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=10 * GROUP)  # read ahead, not without end

    def read() -> None:
        for number, raw in enumerate(lines, start=1):
            if raw.strip():
                waiting.put((number, raw))
        waiting.put(None)

    threading.Thread(target=read, daemon=True, name="fundledger-stream-reader").start()
    first_failure = 0
    done = False
    while not done:
        group = [waiting.get()]
        while group[-1] is not None and len(group) < GROUP:
            try:
                group.append(waiting.get_nowait())
            except queue.Empty:
                break
        if group[-1] is None:
            group.pop()
            done = True
        parsed: list[tuple[int, list[Item] | Error]] = []
        for number, raw in group:
            try:
                parsed.append((number, parse_posting_line(raw, number, kinds=ledger.kinds)))
            except Error as e:
                parsed.append((number, e))
        postings = [p for _, p in parsed if not isinstance(p, Error)]
        if dry_run:
            outcomes = iter([_dry(ledger, signer, p) for p in postings])
        else:
            outcomes = iter(ledger.post_many(signer, postings) if postings else [])
        for number, p in parsed:
            result = p if isinstance(p, Error) else next(outcomes)
            if isinstance(result, Error):
                answer({"line": number, "ok": False, "exit": result.exit_code, "error": result.message,
                        "findings": findings_to_json(result.findings)})
                first_failure = first_failure or result.exit_code
            else:
                answer({"line": number, "ok": True, "exit": 0, "receipts": [r.as_dict() for r in result.receipts],
                        "warnings": findings_to_json(result.warnings)})
    return first_failure


def _dry(ledger: Ledger, signer: Signer, items: list[Item]) -> Posted | Error:
    try:
        return ledger.post(signer, items, dry_run=True)
    except Error as e:
        return e
