"""WSGI entry point; in production it refuses to start when the system checks fail."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

if settings.PRODUCTION:
    call_command("check", fail_level="ERROR")
