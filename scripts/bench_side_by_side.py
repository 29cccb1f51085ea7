"""Print the rows of several `bench.py --results` files side by side, one column per Odoo series.

python scripts/bench_side_by_side.py bench-18.0.json bench-19.0.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    """Read each results file and print one table, the rows in the first file's order."""
    runs = [json.loads(Path(name).read_text()) for name in sys.argv[1:]]
    figures = [{row["what"]: row["figure"] for row in run["rows"]} for run in runs]
    order = list(dict.fromkeys(row["what"] for run in runs for row in run["rows"]))
    header = "".join(f" {'Odoo ' + run['odoo']:<30}" for run in runs)
    print(f"  {'':<70}{header}")
    for what in order:
        cells = "".join(f" {figure.get(what, '—'):<30}" for figure in figures)
        print(f"  {what:<70}{cells}")


if __name__ == "__main__":
    main()
