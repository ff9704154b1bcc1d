"""Settings of the worker `corridor demo` runs beside its server: alert e-mails go to files.

Everything else is corridor.settings, read from the same environment. The demo sends no
mail: each alert is written as a file into the demo's data directory (printed by the
demo), so anyone can read exactly what staff would receive.
"""

from corridor.settings import *  # noqa: F403
from corridor.settings import DATA_DIR, env_int, env_list

DEMO_MAIL_DIR = DATA_DIR / "mail"
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DEMO_MAIL_DIR)},
    }
}
# Addresses under .invalid, which can never be delivered to, should a file become a mail.
CORRIDOR_ALERT_RECIPIENTS = env_list("CORRIDOR_ALERT_RECIPIENTS", ["hotline-team@corridor-demo.invalid"])
# Often enough to see the fixed reminder arrive while trying the demo.
CORRIDOR_ALERT_INTERVAL_MINUTES = env_int("CORRIDOR_ALERT_INTERVAL_MINUTES", 5)
