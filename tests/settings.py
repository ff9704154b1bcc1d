"""Test settings: the production settings module with a cheap Argon2 cost and a fixed secret."""

import os
import tempfile

os.environ["CORRIDOR_ENV"] = "test"
os.environ.setdefault("CORRIDOR_SECRET_KEY", "test-secret-key-not-for-production-use-0123456789abcdef")
os.environ.setdefault("CORRIDOR_ARGON2_OPSLIMIT", "1")
os.environ.setdefault("CORRIDOR_ARGON2_MEMLIMIT", "8192")
os.environ.setdefault("CORRIDOR_DATA_DIR", tempfile.mkdtemp(prefix="corridor-test-"))

from corridor.settings import *  # noqa: F403

# Tests read English text unless they choose Russian; production defaults to Russian.
LANGUAGE_CODE = "en"

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Requests make their photo copies before answering, inside the test's transaction; the copies
# made in the background are tested on their own (tests/hotline/test_photo_copies.py).
CORRIDOR_PHOTO_COPIES_IN_BACKGROUND = False

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns about a missing directory

# SQLite tests use a database file, not memory: with an in-memory database the live server's
# request threads would all share the test's one connection, so two requests at once (a double
# tap in a browser test) would interleave inside each other's transactions.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
