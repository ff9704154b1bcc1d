"""Runs Corridor under gunicorn, a production WSGI server, from inside the `corridor` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class CorridorServer(BaseApplication):
    """gunicorn with its configuration given in code; no access log (it would record addresses)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from corridor.wsgi import application

        return application


def serve(*, bind: str, workers: int, threads: int = 4) -> None:
    CorridorServer(
        {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 60,
            "graceful_timeout": 10,
            "limit_request_line": 8190,
            "proc_name": "corridor",
        }
    ).run()
