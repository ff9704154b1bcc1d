"""Run by test_parallel_sign_in in its own process: 16 threads send a wrong password at the same moment.

Each thread does what the sign-in view does (check the throttle, try the password,
record the failure), on its own database connection; the output says how many of the
16 got as far as trying the password.
"""

from __future__ import annotations

import json
import sys
import threading

import django

PARALLEL = 16


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.db import connection

    from corridor.accounts import keyring, services
    from corridor.accounts.models import Role

    created = keyring.create_organisation_keys(threshold=3, share_count=5)
    settings.CORRIDOR_KEY_PINS = created.pins.text()
    services.create_user(
        actor=None,
        actor_private_key=None,
        username="target",
        password="correct horse battery staple",
        roles={Role.CASEWORKER},
        must_change_password=False,
    )
    connection.close()
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            if services.login_blocked("target"):
                outcome = "blocked"
            elif services.unlock_with_password("target", "not the password at all") is None:
                services.record_login_failure(username="target", user=None, stage="password")
                outcome = "tried"
            else:
                outcome = "signed in"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    json.dump({o: outcomes.count(o) for o in ("tried", "blocked", "signed in")}, sys.stdout)


if __name__ == "__main__":
    main()
