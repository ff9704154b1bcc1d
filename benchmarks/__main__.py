"""Run the benchmarks and print the figures as one JSON object (`--only PART` for one part)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from typing import Any

from benchmarks import cases, checkins, crypto, evacuation, hotline, integrity, money

PARTS: dict[str, Callable[[], dict[str, Any]]] = {
    "crypto": crypto.run,
    "hotline": hotline.run,
    "integrity": integrity.run,
    "cases": cases.run,
    "evacuation": evacuation.run,
    "money": money.run,
    "checkins": checkins.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", choices=sorted(PARTS), help="run only this part")
    args = parser.parse_args()
    figures: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.machine(),
        },
    }
    for name, run in PARTS.items():
        if args.only in (None, name):
            figures[name] = run()
    json.dump(figures, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
