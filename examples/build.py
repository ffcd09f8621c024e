"""Build the example data from the seed reports: deterministic, run by hand, output committed.

    .venv/bin/python examples/build.py [OUT]      # OUT defaults to examples/ itself

Writes one JSON Lines file per posting under ``examples/<year>[-<n>]-<fund>/`` (posted in
file-name order by ``fundledger demo``: a fund that pays for another's projects comes first). ``examples/README.md`` says which figures come from which seed and
what is synthetic. Running it twice writes the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # contracts.money
sys.path.insert(0, str(HERE))  # the builders beside this file

import seedlib  # noqa: E402
from seeds_2020 import (build_2020, build_2020_commerce, build_2020_culture, build_2020_culture_zone,  # noqa: E402
                        build_2020_finance, build_2020_major_investment, build_2020_renovation, build_2020_summary)
from seeds_2023 import build_2023, build_2023_department, build_2024  # noqa: E402

if __name__ == "__main__":
    if len(sys.argv) > 1:
        seedlib.OUT = Path(sys.argv[1]).resolve()
    build_2020()
    build_2020_finance()
    build_2020_culture_zone()
    build_2020_culture()
    build_2020_commerce()
    build_2020_summary()
    build_2020_renovation()
    build_2020_major_investment()
    build_2023()
    build_2023_department()
    build_2024()
    print(f"wrote {sum(1 for _ in seedlib.OUT.glob('*/*.jsonl'))} postings under {seedlib.OUT}", file=sys.stderr)
