"""The Argon2id pool's budget: memory capped, first come first served, waits bounded."""

from __future__ import annotations

import threading

import pytest

from corridor.limits.budget import MemoryBudget


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
