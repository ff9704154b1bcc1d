"""`corridor demo`: a demo organisation with one user per role, served on loopback with its worker.

The worker (`corridor worker`, the job queue and the periodic alerts) runs as a second
process beside the server, with corridor.web.demo_settings: alert e-mails are written
as files into the demo's data directory instead of being sent. It stops with the demo.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import sys
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import integrity, keyring, pins, second_factor, services
from corridor.accounts.models import OrgKeyKind, Role, User
from corridor.crypto.words import fingerprint_digits, fingerprint_words
from corridor.web.server import serve

DEMO_PASSWORD = "corridor-demo-pass"  # noqa: S105 - printed to the demo's user; demo data only

# (username, roles): one user per role, named after the personas the tests use.
DEMO_USERS = [
    ("olga", {Role.OPERATOR}),
    ("alice", {Role.CASEWORKER}),
    ("bob", {Role.CASEWORKER}),
    ("carol", {Role.COORDINATOR}),
    ("erin", {Role.DOCUMENTER}),
    ("dave", {Role.ADMIN}),
    ("judy", {Role.AUDITOR}),
]


# What marks every demo text as invented, in the language of the hotline's Russian side.
SYNTHETIC = "[Демо: вымышленное обращение]"


def _demo_threads() -> list[tuple[Any, str]]:
    """Synthetic requests, in Russian as people write to the hotline, each marked as invented."""
    from corridor.hotline.triage import Triage

    return [
        (
            Triage(region="RU-CE", in_danger_now=True, threatened_by=["police"], outed_to_family="yes"),
            f"{SYNTHETIC} Вчера меня отпустили после допроса в отделе полиции. Телефон забрали, "
            "спрашивали про знакомых. Домой возвращаться боюсь, пока ночую у приятеля.",
        ),
        (
            Triage(
                region="RU-DA",
                threatened_by=["relatives"],
                outed_to_family="yes",
                has_internal_passport="yes",
                has_foreign_passport="no",
            ),
            f"{SYNTHETIC} Родственники нашли переписку в моём телефоне. Брат сказал, что семья "
            "«решит вопрос». Живу у друга, паспорт со мной, загранпаспорта нет.",
        ),
        (
            Triage(region="RU-MOW", threatened_by=["others"], safe_contact="только вечером, после 21:00"),
            f"{SYNTHETIC} Кто-то выложил мою фотографию, и теперь мне пишут угрозы в соцсетях. "
            "Пишут, что знают, где я работаю.",
        ),
        (
            Triage(region="XX"),
            f"{SYNTHETIC} Я уже за границей и в безопасности. Можно ли получить юридическую помощь "
            "и записать то, что со мной было?",
        ),
    ]


DEMO_REPLY = "Здравствуйте. Мы вас слышим. Вы сейчас в безопасном месте? (Демо: вымышленный ответ.)"
DEMO_NOTE = "Демо-заметка: сверить рассказ с чек-листом проверки."


class DemoWorker:
    """`corridor worker` as a child of the demo, writing alert e-mails to files; stopped with the demo."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        # gunicorn's workers are forked from this process and unwind through the same
        # code when they exit: only the demo process itself stops the worker.
        self.owner = os.getpid()

    def start(self) -> int:
        env = {
            **os.environ,
            "CORRIDOR_DATA_DIR": str(settings.DATA_DIR),
            "DJANGO_SETTINGS_MODULE": "corridor.web.demo_settings",
        }
        command = [sys.executable, "-m", "corridor.cli", "worker", "--verbosity", "0", "--no-startup-delay"]
        self.process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)  # noqa: S603 - our own command
        return self.process.pid

    def stop(self) -> None:
        if os.getpid() != self.owner or self.process is None:
            return
        if self.process.poll() is None:
            # SIGTERM: the worker finishes the task in hand, then exits.
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        # gunicorn's master reaps any child that exits, so the status may already be gone.
        with contextlib.suppress(subprocess.TimeoutExpired, ChildProcessError):
            self.process.wait(timeout=5)


class Command(BaseCommand):
    help = "Create (once) and serve a demo organisation with synthetic data in its own data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--data-dir", help="where the demo keeps its data (default var/demo)")
        parser.add_argument("--no-serve", action="store_true", help="create the demo data and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("the demo never runs in production mode")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not keyring.organisation_initialised():
            self._create_demo()
        elif pins.configured() is None:
            self._pin_older_demo()
        if options["no_serve"]:
            with translation.override("en"):
                self._print_guide(options["port"], worker_pid=None)
            return
        connections.close_all()
        worker = DemoWorker()
        try:
            pid = worker.start()
            with translation.override("en"):
                self._print_guide(options["port"], worker_pid=pid)
            serve(bind=f"127.0.0.1:{options['port']}", workers=2)
        finally:
            worker.stop()

    @staticmethod
    def _pin_older_demo() -> None:
        """A demo directory made before key pinning: pin its keys as `corridor pin-keys` would."""
        olga = User.objects.get(username="olga")
        private = services.unwrap_user_key(olga, DEMO_PASSWORD)
        index_key = keyring.index_key_before_pinning(user=olga, user_private_key=private)
        with transaction.atomic():
            pins.write(keyring.pin_existing_keys(index_key=index_key))

    @transaction.atomic
    def _create_demo(self) -> None:
        created = keyring.create_organisation_keys(threshold=3, share_count=5)
        words, secrets = created.shares, created.secrets
        pins.write(created.pins)
        shares_file = settings.DATA_DIR / "demo-recovery-shares.txt"
        shares_file.write_text("\n".join(words) + "\n")
        shares_file.chmod(0o600)
        for username, roles in DEMO_USERS:
            user = services.create_user(
                actor=None,
                actor_private_key=None,
                username=username,
                password=DEMO_PASSWORD,
                roles=set(roles),
                must_change_password=False,
                index_key=secrets[OrgKeyKind.INDEX],
            )
            entitled = {k: v for k, v in secrets.items() if k in keyring.entitled_kinds(user)}
            keyring.wrap_secrets_for_user(actor=None, user=user, secrets=entitled)
            TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            integrity.seal_factors(user)
        codename = self._create_threads(secrets)
        (settings.DATA_DIR / "demo-codename.txt").write_text(codename + "\n")
        self._create_cases()

    @staticmethod
    def _create_cases() -> None:
        """Cases in every stage of the pipeline, as the demo users would have made them."""
        from corridor.cases.demo import Staff, create_demo_cases

        users = {u.username: u for u in User.objects.filter(username__in=["olga", "alice", "bob", "carol"])}
        keys = {name: services.unwrap_user_key(user, DEMO_PASSWORD) for name, user in users.items()}
        staff = Staff(
            olga=users["olga"], alice=users["alice"], bob=users["bob"], carol=users["carol"], keys=keys
        )
        create_demo_cases(staff)
        # Then every app that builds on cases adds its own demo data (a `demo.populate(staff)`).
        for config in django_apps.get_app_configs():
            if config.name.startswith("corridor.") and config.name != "corridor.cases":
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as missing:
                    if missing.name != f"{config.name}.demo":
                        raise
                    continue
                module.populate(staff)

    def _create_threads(self, secrets: dict[OrgKeyKind, bytes]) -> str:
        """Synthetic hotline threads; returns the codename of the first, for trying the applicant's side."""
        from corridor.hotline import services as hotline

        olga = User.objects.get(username="olga")
        olga_key_private = services.unwrap_user_key(olga, DEMO_PASSWORD)
        first = ""
        for i, (triage, text) in enumerate(_demo_threads()):
            created = hotline.open_thread(triage=triage, text=text, files=[])
            first = first or created.codename
            if i == 1:
                hotline.post_reply(
                    operator=olga, user_private_key=olga_key_private, thread=created.thread, text=DEMO_REPLY
                )
                hotline.add_note(
                    operator=olga, user_private_key=olga_key_private, thread=created.thread, text=DEMO_NOTE
                )
        return first

    @staticmethod
    def _demo_codename() -> str:
        path = settings.DATA_DIR / "demo-codename.txt"
        return path.read_text().strip() if path.exists() else "-"

    def _print_guide(self, port: int, *, worker_pid: int | None) -> None:
        base = f"http://127.0.0.1:{port}"
        data_dir = settings.DATA_DIR
        lines = [
            "",
            "Corridor demo (synthetic data only)",
            "===================================",
            f"Open:      {base}/staff/login/",
            f"Hotline:   {base}/ru/   (the applicant's side; no JavaScript needed)",
            f"Password:  {DEMO_PASSWORD}   (the same for every demo user)",
            f"Data:      {data_dir}",
            "",
            "Users (username: role; authenticator key to add to a phone app):",
        ]
        for username, roles in DEMO_USERS:
            user = User.objects.get(username=username)
            device = second_factor.confirmed_totp_devices(user).first()
            secret = second_factor.totp_secret_base32(device) if device else "-"
            role_names = ", ".join(str(Role(r).label) for r in sorted(roles))
            lines.append(f"  {username:<6} {role_names:<18} {secret}")
        lines += [
            "",
            "Second-factor code for a user, now (in another terminal):",
            f"  .venv/bin/corridor --data-dir {data_dir} totp alice",
            "",
            "Signing key fingerprint: " + fingerprint_words(keyring.pinned_public_key(OrgKeyKind.SIGNING)),
            "  as digits (Russian pages): "
            + fingerprint_digits(keyring.pinned_public_key(OrgKeyKind.SIGNING)),
            f"Recovery shares (demo only, 3 of 5): {data_dir / 'demo-recovery-shares.txt'}",
            f"A demo applicant's codename (for {base}/ru/thread/): {self._demo_codename()}",
            "",
        ]
        if worker_pid is not None:
            lines += [
                f"Worker:    running beside the server (process {worker_pid}), stopped with it",
                f"Alert e-mails: written as files to {data_dir / 'mail'} (none is sent)",
                "",
            ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
