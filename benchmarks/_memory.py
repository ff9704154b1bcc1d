"""The memory of a server: the summed resident set of every process in its process group (Linux /proc)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def group_rss_bytes(pgid: int) -> int:
    """Sum of RSS over the processes whose process group is `pgid`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command name, which may itself hold spaces and brackets.
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:
                continue
            total += int((entry / "statm").read_text().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return total


class PeakSampler(threading.Thread):
    """Samples a process group's memory every `interval` seconds and keeps the highest."""

    def __init__(self, pgid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, group_rss_bytes(self.pgid))
            self.samples += 1
            time.sleep(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak
