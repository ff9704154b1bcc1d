"""A budget of bytes with two lanes and a bounded wait: the Argon2id pool's slots.

Pure Python (no Django), shared by the pool service and the in-process pool. A call asks
for the memory its Argon2id cost needs, in one of two lanes:

- the fast lane (codenames the server issued, new requests, staff passwords) is served
  first, strictly in the order its calls asked;
- the slow lane (everything that may be a guess: codenames without a valid tag) is served
  in order too, but only when no fast call waits, and never with so much memory that a
  fast call of the same size could not start.

So a flood of made-up codenames queues behind itself, and a person with a real codename
waits at most for the fast calls ahead of them. A caller that waited too long gives up
instead of holding its web thread.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field


@dataclass(eq=False)
class _Waiter:
    amount: int
    slow: bool
    event: threading.Event = field(default_factory=threading.Event)
    granted: bool = False


class MemoryBudget:
    """At most `capacity` bytes handed out at once, fast lane first, each wait bounded."""

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("the budget needs a positive capacity")
        self.capacity = capacity
        self._free = capacity
        self._slow_in_use = 0
        self._lock = threading.Lock()
        self._fast: deque[_Waiter] = deque()
        self._slow: deque[_Waiter] = deque()

    def clamp(self, amount: int) -> int:
        """A call larger than the whole budget runs alone rather than never."""
        return max(1, min(amount, self.capacity))

    def _slow_limit(self, amount: int) -> int:
        # Room for one fast call of the same size stays free; a budget too small for two
        # calls has no room to keep, so there the lanes only differ in who goes first.
        return self.capacity - amount if self.capacity >= 2 * amount else self.capacity

    def acquire(self, amount: int, timeout: float, *, slow: bool = False) -> bool:
        """Take `amount` bytes in a lane, waiting behind earlier callers for at most `timeout` seconds."""
        waiter = _Waiter(self.clamp(amount), slow)
        with self._lock:
            (self._slow if slow else self._fast).append(waiter)
            self._grant()
            if waiter.granted:
                return True
        waiter.event.wait(timeout)
        with self._lock:
            if waiter.granted:
                return True
            (self._slow if slow else self._fast).remove(waiter)
            # Leaving may unblock those behind a large request that was at the head.
            self._grant()
            return False

    def release(self, amount: int, *, slow: bool = False) -> None:
        amount = self.clamp(amount)
        with self._lock:
            self._free += amount
            if slow:
                self._slow_in_use -= amount
            self._grant()

    def _grant(self) -> None:
        # Strict order in each lane: the head waits for room even if a later, smaller call would fit.
        while self._fast and self._fast[0].amount <= self._free:
            self._hand_out(self._fast.popleft())
        if self._fast:
            return  # what is free is kept for the fast call at the head
        while self._slow:
            head = self._slow[0]
            if head.amount > self._free or self._slow_in_use + head.amount > self._slow_limit(head.amount):
                return
            self._hand_out(self._slow.popleft())
            self._slow_in_use += head.amount

    def _hand_out(self, waiter: _Waiter) -> None:
        self._free -= waiter.amount
        waiter.granted = True
        waiter.event.set()

    def waiting(self) -> int:
        """How many callers are queued in both lanes (for tests and the busy decision's logs)."""
        with self._lock:
            return len(self._fast) + len(self._slow)

    def in_use(self) -> int:
        with self._lock:
            return self.capacity - self._free


class LaneTokens:
    """A codename that was derived in the fast lane takes the slow lane for `period` seconds.

    A person with a real codename gets in with one call; someone flooding with a codename of
    their own holds one fast call per period, not all of them. A call that found no room
    (busy) leaves no mark, so a person told to try again keeps the fast lane. Tokens are
    keyed digests (corridor.crypto.codename.lane_token), kept in this process's memory only.
    """

    def __init__(self, period: float, *, limit: int = 100_000) -> None:
        self.period = period
        self.limit = limit
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._seen and (
            next(iter(self._seen.values())) <= now - self.period or len(self._seen) > self.limit
        ):
            self._seen.popitem(last=False)

    def recent(self, token: str, *, now: float | None = None) -> bool:
        """Whether `token` was derived in the fast lane within the period."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._forget_old(now)
            return token in self._seen

    def mark(self, token: str, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._seen.pop(token, None)
            self._seen[token] = now
            self._forget_old(now)
