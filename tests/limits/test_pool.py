"""The Argon2id pool: when full it answers "busy" (503, Retry-After) instead of deriving; its service."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from corridor.crypto import codename
from corridor.crypto.errors import WrongPassword
from corridor.crypto.kdf import Argon2Cost, wrap_with_password
from corridor.hotline.models import Thread
from corridor.limits import pool
from corridor.limits.service import recv_message, send_message
from corridor.web.server import PoolProcess, gunicorn_options
from tests.hotline.test_public_flow import enter, request_data, submit

CHEAP = Argon2Cost(opslimit=1, memlimit=8192)
SALT = bytes(range(16))


@pytest.fixture
def full_pool(settings: Any) -> Iterator[None]:
    """Every byte of the in-process pool is taken, and nobody waits for it."""
    settings.CORRIDOR_ARGON2_MAX_WAIT_SECONDS = 0
    budget = pool._local_budget()
    assert budget.acquire(budget.capacity, timeout=0)
    yield
    budget.release(budget.capacity)


@pytest.mark.django_db
def test_a_look_up_in_a_full_pool_gets_the_busy_answer_and_no_lockout(
    org: dict[str, object], full_pool: None
) -> None:
    budget = pool._local_budget()
    budget.release(budget.capacity)
    codename_text = submit(Client())
    assert budget.acquire(budget.capacity, timeout=0)

    response = Client().post("/en/thread/", {"codename": codename_text})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Wait a minute and try again" in response.content.decode()
    assert "corridor_thread" not in response.cookies
    budget.release(budget.capacity)
    enter(Client(), codename_text)
    assert budget.acquire(budget.capacity, timeout=0)


@pytest.mark.django_db
def test_a_request_in_a_full_pool_keeps_what_was_typed_and_stores_nothing(
    org: dict[str, object], full_pool: None, caplog: pytest.LogCaptureFixture
) -> None:
    data = request_data(message="They took my passport yesterday evening.")
    response = Client().post("/en/request/", data)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "They took my passport yesterday evening." in page
    assert "Many people are writing right now" in page
    assert not Thread.objects.exists()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # busy is not an error


@pytest.mark.django_db
def test_a_staff_sign_in_in_a_full_pool_gets_the_staff_busy_page(alice: Any, full_pool: None) -> None:
    response = Client().post("/staff/login/", {"username": "alice", "password": "whatever it is"})

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "The server is busy" in response.content.decode()


def test_the_pool_derives_what_the_crypto_core_derives(settings: Any) -> None:
    text = "4821 0937 5512 6604"
    assert pool.derive_codename(text, salt=SALT, cost=CHEAP) == codename.derive(text, salt=SALT, cost=CHEAP)
    blob = pool.wrap_password(b"k" * 32, "pw", CHEAP, context=b"owner")
    assert pool.unwrap_password(blob, "pw", context=b"owner") == b"k" * 32
    with pytest.raises(WrongPassword):
        pool.unwrap_password(blob, "not pw", context=b"owner")


@pytest.fixture
def service(settings: Any) -> Iterator[PoolProcess]:
    """The real pool service process, as corridor serve starts it."""
    process = PoolProcess()
    process.start()
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(process.socket))
        send_message(probe, {"op": "nothing", "args": {}})
        assert recv_message(probe) == {"error": "malformed"}
    finally:
        probe.close()
    pool.use_service(process.socket)
    yield process
    pool.use_service(None)
    process.stop()


def test_the_service_runs_jobs_for_the_web_workers(service: PoolProcess) -> None:
    text = "4821 0937 5512 6604"
    assert pool.derive_codename(text, salt=SALT, cost=CHEAP) == codename.derive(text, salt=SALT, cost=CHEAP)
    blob = wrap_with_password(b"s" * 32, "right", CHEAP, context=b"ctx")
    assert pool.unwrap_password(blob, "right", context=b"ctx") == b"s" * 32
    with pytest.raises(WrongPassword):
        pool.unwrap_password(blob, "wrong", context=b"ctx")
    with pytest.raises(codename.InvalidCodename):
        pool.derive_codename("not a codename", salt=SALT, cost=CHEAP)
    slow = pool.derive_codename(text, salt=SALT, cost=CHEAP, lane=pool.SLOW)
    assert slow == codename.derive(text, salt=SALT, cost=CHEAP)


def test_a_stopped_service_means_busy_not_a_crash(service: PoolProcess) -> None:
    service.stop()
    with pytest.raises(pool.Busy):
        pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP)


def test_the_socket_is_private(service: PoolProcess) -> None:
    assert service.directory.stat().st_mode & 0o777 == 0o700
    assert service.socket.stat().st_mode & 0o077 == 0


def test_keep_alive_comes_from_settings(settings: Any) -> None:
    settings.CORRIDOR_KEEPALIVE_SECONDS = 120
    assert gunicorn_options(bind="127.0.0.1:8000", workers=3)["keepalive"] == 120


def test_one_web_thread_never_waits_for_the_pool(settings: Any) -> None:
    """It stays free for pages that need no Argon2id (staff pages in a flood)."""
    settings.CORRIDOR_WEB_THREADS = 4
    places, _slow = pool._thread_places()
    for _ in range(3):
        assert places.acquire(blocking=False)
    try:
        with pytest.raises(pool.Busy):
            pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP)
    finally:
        for _ in range(3):
            places.release()
    pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP)


def test_guesses_leave_a_place_for_a_real_codename(settings: Any) -> None:
    """Calls in the slow lane hold all the pool's places but one: a fast call still finds it."""
    settings.CORRIDOR_WEB_THREADS = 4
    _places, slow = pool._thread_places()
    for _ in range(2):
        assert slow.acquire(blocking=False)
    try:
        with pytest.raises(pool.Busy):
            pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP, lane=pool.SLOW)
        text = "4821 0937 5512 6604"
        assert pool.derive_codename(text, salt=SALT, cost=CHEAP) == codename.derive(
            text, salt=SALT, cost=CHEAP
        )
    finally:
        for _ in range(2):
            slow.release()


def test_a_codename_sent_again_within_the_period_takes_the_slow_lane(settings: Any) -> None:
    settings.CORRIDOR_WEB_THREADS = 4
    _places, slow = pool._thread_places()
    lane = pool.Lane(slow=False, token=f"token-{uuid.uuid4()}")
    pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP, lane=lane)
    for _ in range(2):
        assert slow.acquire(blocking=False)
    try:
        # The slow lane is full in this process, so the repeat is turned away.
        with pytest.raises(pool.Busy):
            pool.derive_codename("4821 0937 5512 6604", salt=SALT, cost=CHEAP, lane=lane)
        pool.derive_codename(
            "4821 0937 5512 6604", salt=SALT, cost=CHEAP, lane=pool.Lane(slow=False, token="other")
        )
    finally:
        for _ in range(2):
            slow.release()
