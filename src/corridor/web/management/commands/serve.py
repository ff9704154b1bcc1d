"""`corridor serve`: the production web server."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from corridor.web.server import serve


def unapplied_migrations() -> int:
    executor = MigrationExecutor(connections["default"])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Serve Corridor with gunicorn (static files included)."
    requires_system_checks = []  # run explicitly below, with the deploy checks in production

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CORRIDOR_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("CORRIDOR_WORKERS", "3")))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=settings.PRODUCTION, fail_level="ERROR")
        if unapplied_migrations():
            raise CommandError("The database is not up to date: run `corridor migrate` first.")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Corridor serving on http://{options['bind']}/ (Ctrl+C stops it)")
        self.stdout.flush()
        connections.close_all()
        serve(bind=options["bind"], workers=options["workers"])
