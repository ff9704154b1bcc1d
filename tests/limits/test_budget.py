"""The Argon2id pool's budget: memory capped, first come first served, waits bounded."""

from __future__ import annotations

import threading

import pytest

from corridor.limits.budget import LaneTokens, MemoryBudget


def wait_until_queued(budget: MemoryBudget, count: int) -> None:
    """Block until `count` callers are queued (the budget's own count, not a sleep)."""
    deadline = threading.Event()
    for _ in range(100_000):
        if budget.waiting() >= count:
            return
        deadline.wait(0.001)
    raise AssertionError("the callers never queued")


def test_no_more_than_the_capacity_is_handed_out() -> None:
    budget = MemoryBudget(512)
    assert budget.acquire(256, timeout=0)
    assert budget.acquire(256, timeout=0)
    assert not budget.acquire(256, timeout=0)
    assert budget.in_use() == 512
    budget.release(256)
    assert budget.acquire(256, timeout=0)


def test_a_call_larger_than_the_budget_runs_alone_rather_than_never() -> None:
    budget = MemoryBudget(256)
    assert budget.acquire(1024, timeout=0)
    assert not budget.acquire(1, timeout=0)
    budget.release(1024)
    assert budget.in_use() == 0


def test_callers_are_served_in_the_order_they_asked() -> None:
    budget = MemoryBudget(1)
    assert budget.acquire(1, timeout=0)
    order: list[int] = []
    lock = threading.Lock()

    def ask(n: int) -> None:
        assert budget.acquire(1, timeout=30)
        with lock:
            order.append(n)
        budget.release(1)

    threads = []
    for n in range(6):
        thread = threading.Thread(target=ask, args=(n,))
        thread.start()
        threads.append(thread)
        wait_until_queued(budget, n + 1)
    budget.release(1)
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4, 5]


def test_a_small_late_call_does_not_overtake_a_large_early_one() -> None:
    budget = MemoryBudget(2)
    assert budget.acquire(1, timeout=0)
    granted = threading.Event()

    def large() -> None:
        assert budget.acquire(2, timeout=30)
        granted.set()

    thread = threading.Thread(target=large)
    thread.start()
    wait_until_queued(budget, 1)
    assert not budget.acquire(1, timeout=0)  # would fit, but the large call asked first
    budget.release(1)
    thread.join()
    assert granted.is_set()


def test_a_caller_that_gives_up_leaves_the_queue() -> None:
    budget = MemoryBudget(1)
    assert budget.acquire(1, timeout=0)
    assert not budget.acquire(1, timeout=0.01)
    assert budget.waiting() == 0
    budget.release(1)
    assert budget.acquire(1, timeout=0)


def test_the_budget_needs_room() -> None:
    with pytest.raises(ValueError):
        MemoryBudget(0)


def test_the_slow_lane_always_leaves_room_for_a_fast_call() -> None:
    budget = MemoryBudget(512)
    assert budget.acquire(256, timeout=0, slow=True)
    assert not budget.acquire(256, timeout=0, slow=True)  # the other half is kept for the fast lane
    assert budget.acquire(256, timeout=0)
    budget.release(256)
    budget.release(256, slow=True)
    assert budget.in_use() == 0
    assert budget.acquire(256, timeout=0, slow=True)


def test_a_fast_call_goes_ahead_of_every_waiting_slow_call() -> None:
    budget = MemoryBudget(2)
    assert budget.acquire(1, timeout=0)
    assert budget.acquire(1, timeout=0)
    order: list[str] = []
    lock = threading.Lock()

    def ask(name: str, *, slow: bool) -> None:
        assert budget.acquire(1, timeout=30, slow=slow)
        with lock:
            order.append(name)

    threads = []
    for n, (name, slow) in enumerate([("guess 1", True), ("guess 2", True), ("person", False)]):
        thread = threading.Thread(target=ask, args=(name,), kwargs={"slow": slow})
        thread.start()
        threads.append(thread)
        wait_until_queued(budget, n + 1)
    budget.release(1)
    threads[2].join()
    assert order == ["person"]
    budget.release(1)
    threads[0].join()
    budget.release(1, slow=True)
    threads[1].join()
    assert order == ["person", "guess 1", "guess 2"]


def test_a_budget_for_one_call_serves_the_slow_lane_too() -> None:
    budget = MemoryBudget(256)
    assert budget.acquire(256, timeout=0, slow=True)
    budget.release(256, slow=True)
    assert budget.in_use() == 0


def test_a_codename_has_the_fast_lane_once_a_period() -> None:
    tokens = LaneTokens(period=60)
    assert not tokens.recent("a", now=0)
    tokens.mark("a", now=0)
    assert tokens.recent("a", now=30)
    assert not tokens.recent("b", now=30)
    assert not tokens.recent("a", now=61)


def test_lane_tokens_forget_beyond_their_limit() -> None:
    tokens = LaneTokens(period=60, limit=2)
    for name in ("a", "b", "c"):
        tokens.mark(name, now=0)
    assert not tokens.recent("a", now=1)  # the oldest was dropped to keep memory bounded
    assert tokens.recent("c", now=1)
