"""Check E015, and what the server prepares before forking: the sign-in decoy."""

from __future__ import annotations

from typing import Any

from corridor.accounts import services
from corridor.web.checks import flood_limits_check
from corridor.web.server import PoolProcess, prepare_workers


def test_a_memory_cap_below_one_call_is_refused(settings: Any) -> None:
    settings.CORRIDOR_ARGON2_MEMLIMIT = 256 * 1024 * 1024
    settings.CORRIDOR_ARGON2_MEMORY_CAP_BYTES = 128 * 1024 * 1024
    assert [e.id for e in flood_limits_check(None)] == ["corridor.E015"]
    settings.CORRIDOR_ARGON2_MEMORY_CAP_BYTES = 512 * 1024 * 1024
    settings.CORRIDOR_KEEPALIVE_SECONDS = 0
    assert [e.id for e in flood_limits_check(None)] == ["corridor.E015"]
    settings.CORRIDOR_KEEPALIVE_SECONDS = 75
    assert flood_limits_check(None) == []


def test_the_server_builds_the_sign_in_decoy_before_any_request(settings: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "_DUMMY_WRAP", None)
    process = PoolProcess()
    try:
        prepare_workers(process)
        # Built in the master, so every forked worker starts with it: no first slow failure.
        assert services._DUMMY_WRAP is not None
    finally:
        from corridor.limits import pool

        pool.use_service(None)
        process.stop()
