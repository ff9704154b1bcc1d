"""Run every benchmark and print the figures as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys

from benchmarks import crypto


def main() -> None:
    figures = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.machine(),
        },
        "crypto": crypto.run(),
    }
    json.dump(figures, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
