"""A 500 leaves its exception type and traceback in the log, and nothing the request carried."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from corridor.web.errorlog import TracebackOnlyFormatter

CANARY = "canary-7f3e9a"


def failing_view(request: HttpRequest) -> HttpResponse:
    """Fails with the request's own data in the exception message, as parsing errors do."""
    raise ValueError(f"could not read {request.POST.get('secret', '')} for {request.path}")


urlpatterns = [path("en/boom/", failing_view)]


@pytest.fixture
def error_log() -> Iterator[io.StringIO]:
    """What the configured `django.request` handler writes (the settings' own handler and formatter)."""
    found = logging.getLogger("django.request").handlers
    # The handler the settings configure (the test runner may attach its own capture too).
    ours = [h for h in found if isinstance(h.formatter, TracebackOnlyFormatter)]
    handlers = [h for h in ours if isinstance(h, logging.StreamHandler)]
    assert handlers, "django.request has no handler: a 500 would leave no trace"
    stream = io.StringIO()
    previous = [
        handler.setStream(stream) for handler in handlers if isinstance(handler, logging.StreamHandler)
    ]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        if old is not None:
            handler.setStream(old)


@pytest.mark.urls("tests.web.test_error_log")
def test_a_500_logs_the_traceback_without_request_data(db: None, error_log: io.StringIO) -> None:
    client = Client(raise_request_exception=False)
    response = client.post(
        f"/en/boom/?q={CANARY}-query",
        {"secret": f"{CANARY}-post"},
        headers={"X-Probe": f"{CANARY}-header", "User-Agent": f"{CANARY}-agent"},
        REMOTE_ADDR="203.0.113.77",
    )

    assert response.status_code == 500
    logged = error_log.getvalue()
    assert "unhandled exception (HTTP 500)" in logged
    assert "Traceback (most recent call last):" in logged
    assert "in failing_view" in logged
    assert "builtins.ValueError" in logged
    assert CANARY not in logged
    assert "/en/boom/" not in logged
    assert "203.0.113.77" not in logged


@pytest.mark.urls("tests.web.test_error_log")
def test_a_404_is_not_logged(db: None, error_log: io.StringIO) -> None:
    assert Client().get(f"/en/nothing-{CANARY}/").status_code == 404
    assert error_log.getvalue() == ""
