"""A first-come, first-served budget of bytes with a bounded wait: the Argon2id pool's slots.

Pure Python (no Django), shared by the pool service and the in-process pool. A call
asks for the memory its Argon2id cost needs; calls are granted strictly in the order
they asked, so a large request is never overtaken for ever by small ones, and a caller
that waited too long gives up instead of holding its web thread.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Waiter:
    amount: int
    event: threading.Event = field(default_factory=threading.Event)
    granted: bool = False


class MemoryBudget:
    """At most `capacity` bytes handed out at once, in FIFO order, each wait bounded."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("the budget needs a positive capacity")
        self.capacity = capacity
        self._free = capacity
        self._lock = threading.Lock()
        self._queue: deque[_Waiter] = deque()

    def clamp(self, amount: int) -> int:
        """A call larger than the whole budget runs alone rather than never."""
        return max(1, min(amount, self.capacity))

    def acquire(self, amount: int, timeout: float) -> bool:
        """Take `amount` bytes, waiting behind earlier callers for at most `timeout` seconds."""
        amount = self.clamp(amount)
        with self._lock:
            if not self._queue and self._free >= amount:
                self._free -= amount
                return True
            waiter = _Waiter(amount)
            self._queue.append(waiter)
        waiter.event.wait(timeout)
        with self._lock:
            if waiter.granted:
                return True
            self._queue.remove(waiter)
            # Leaving may unblock those behind a large request that was at the head.
            self._grant()
            return False

    def release(self, amount: int) -> None:
        with self._lock:
            self._free += self.clamp(amount)
            self._grant()

    def _grant(self) -> None:
        # Strict order: the head waits for room even if a later, smaller call would fit.
        while self._queue and self._queue[0].amount <= self._free:
            waiter = self._queue.popleft()
            self._free -= waiter.amount
            waiter.granted = True
            waiter.event.set()

    def waiting(self) -> int:
        """How many callers are queued (for tests and the busy decision's logs)."""
        with self._lock:
            return len(self._queue)

    def in_use(self) -> int:
        with self._lock:
            return self.capacity - self._free
