"""Corridor settings: every value comes from the environment, with safe defaults.

Development and the demo need no configuration at all. Production is
`CORRIDOR_ENV=production`, which refuses to start (system checks, see
`corridor.checks`) without a secret key, HTTPS settings and DEBUG off.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A plain string setting."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean setting; anything but a clear yes/no is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """An integer setting."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list setting."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file NAME_FILE points to (for container secrets)."""
    direct = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if direct and path:
        raise ImproperlyConfigured(f"set {name} or {name}_FILE, not both")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"cannot read {name}_FILE: {exc}") from None
    return direct or ""


CORRIDOR_ENV = env_str("CORRIDOR_ENV", "development")
if CORRIDOR_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("CORRIDOR_ENV must be development, test or production")
PRODUCTION = CORRIDOR_ENV == "production"

DATA_DIR = Path(env_str("CORRIDOR_DATA_DIR", "var")).resolve()

DEBUG = env_bool("CORRIDOR_DEBUG", False)

_secret = env_secret("CORRIDOR_SECRET_KEY")
if not _secret and not PRODUCTION:
    # Development and the demo keep a generated key in the data directory.
    _secret_file = DATA_DIR / "secret_key"
    if _secret_file.exists():
        _secret = _secret_file.read_text().strip()
SECRET_KEY = _secret
# Keys the audit chain's HMAC; unset, it is derived from SECRET_KEY. The chain has no
# key versions: set this before `corridor init` and never change it, or earlier entries
# stop verifying (with it set, SECRET_KEY can be rotated freely).
CORRIDOR_AUDIT_KEY = env_secret("CORRIDOR_AUDIT_KEY")
# Where `corridor worker` ships each new head of the audit chain, so that a cut or a wipe
# shows against a copy the database cannot change: a file (absolute path, on another
# mount or append-only storage) that gets one `SEQ HASH ISO-TIME` line per new head,
# and/or addresses that each get a fixed-shape mail holding only the sequence number and
# hash. Both empty: nothing is shipped. The interval is how often the worker looks.
CORRIDOR_AUDIT_ANCHOR_FILE = env_str("CORRIDOR_AUDIT_ANCHOR_FILE", "")
if CORRIDOR_AUDIT_ANCHOR_FILE and not Path(CORRIDOR_AUDIT_ANCHOR_FILE).is_absolute():
    raise ImproperlyConfigured("CORRIDOR_AUDIT_ANCHOR_FILE must be an absolute path")
CORRIDOR_AUDIT_ANCHOR_RECIPIENTS = env_list("CORRIDOR_AUDIT_ANCHOR_RECIPIENTS", [])
CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES = env_int("CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES", 10)
if CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES < 1:
    raise ImproperlyConfigured("CORRIDOR_AUDIT_ANCHOR_INTERVAL_MINUTES must be at least 1")

ALLOWED_HOSTS = env_list("CORRIDOR_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])

# HTTPS: on in production (behind a TLS proxy or onion service); the demo runs on loopback.
HTTPS = env_bool("CORRIDOR_HTTPS", PRODUCTION)
_proxy_header = env_str("CORRIDOR_PROXY_SSL_HEADER", "")
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")
SECURE_SSL_REDIRECT = HTTPS and env_bool("CORRIDOR_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("CORRIDOR_HSTS_SECONDS", 63072000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CORRIDOR_CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_NAME = "corridor_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("CORRIDOR_SESSION_MAX_SECONDS", 12 * 3600)
CSRF_COOKIE_NAME = "corridor_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "corridor.web.views.csrf_failure"
LANGUAGE_COOKIE_NAME = "corridor_language"
LANGUAGE_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS

# The cookie half of the split-key session unlock.
CORRIDOR_UNLOCK_COOKIE = "corridor_unlock"
CORRIDOR_IDLE_TIMEOUT_SECONDS = env_int("CORRIDOR_IDLE_TIMEOUT_SECONDS", 30 * 60)
CORRIDOR_REAUTH_SECONDS = env_int("CORRIDOR_REAUTH_SECONDS", 5 * 60)
CORRIDOR_LOGIN_FAILURE_LIMIT = env_int("CORRIDOR_LOGIN_FAILURE_LIMIT", 5)
CORRIDOR_LOGIN_FAILURE_WINDOW_SECONDS = env_int("CORRIDOR_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

# Argon2id cost of password and codename derivations (libsodium units: ops, bytes).
CORRIDOR_ARGON2_OPSLIMIT = env_int("CORRIDOR_ARGON2_OPSLIMIT", 3)
CORRIDOR_ARGON2_MEMLIMIT = env_int("CORRIDOR_ARGON2_MEMLIMIT", 256 * 1024 * 1024)
# Codenames are found by deriving them again, so their cost is fixed for the life of an
# installation: changing it would make every existing codename unknown. It defaults to
# the staff cost above and is set apart so that the staff cost can change on its own.
CORRIDOR_CODENAME_OPSLIMIT = env_int("CORRIDOR_CODENAME_OPSLIMIT", CORRIDOR_ARGON2_OPSLIMIT)
CORRIDOR_CODENAME_MEMLIMIT = env_int("CORRIDOR_CODENAME_MEMLIMIT", CORRIDOR_ARGON2_MEMLIMIT)

CORRIDOR_ORG_NAME = env_str("CORRIDOR_ORG_NAME", "Corridor")
# What the applicant pages show so a person can check they reached the real hotline:
# the address the organisation publishes on its own channels (the signing key's
# fingerprint is computed from the key itself).
CORRIDOR_PUBLIC_ADDRESS = env_str("CORRIDOR_PUBLIC_ADDRESS", "")

# --- The applicant's side: traces on the person's phone, and what they are told ---
# The CSRF cookie ends with the browser session, like every other cookie Corridor sets,
# so a phone keeps no year-long trace of the hotline. Staff lose nothing: their sessions
# end with the browser too (SESSION_EXPIRE_AT_BROWSER_CLOSE).
CSRF_COOKIE_AGE = None


def _env_per_language(name: str) -> dict[str, str]:
    """NAME for every applicant language, NAME_RU / NAME_EN for one ("" keys the common value)."""
    # The applicant languages are LANGUAGES below; empty values fall back to Corridor's own text.
    return {"": env_str(name).strip()} | {
        code: env_str(f"{name}_{code.upper()}").strip() for code in ("ru", "en")
    }


# Browsers keep page titles in their history, so every applicant page has this one title.
CORRIDOR_APPLICANT_TITLE = _env_per_language("CORRIDOR_APPLICANT_TITLE")
# On the start page and the codename page: when to expect a reply, what to do if someone
# is detained right now, and the organisation's other safe channels (plain text, never links).
CORRIDOR_REPLY_EXPECTATION = _env_per_language("CORRIDOR_REPLY_EXPECTATION")
CORRIDOR_DETAINED_NOW_TEXT = _env_per_language("CORRIDOR_DETAINED_NOW_TEXT")
CORRIDOR_OTHER_CHANNELS = _env_per_language("CORRIDOR_OTHER_CHANNELS")
# Where "Leave quickly" ends up. Empty (the default): Corridor's own neutral page. An
# https:// address elsewhere makes the browser contact that host, so it is opt-in.
CORRIDOR_QUICK_EXIT_URL = _env_per_language("CORRIDOR_QUICK_EXIT_URL")
# Times on the applicant's pages are shown in the zone the people writing live in.
CORRIDOR_APPLICANT_TIME_ZONE = env_str("CORRIDOR_APPLICANT_TIME_ZONE", "Europe/Moscow")
# First-response deadline per urgency (1 critical … 4 low), in minutes.
CORRIDOR_FIRST_RESPONSE_MINUTES = {
    1: env_int("CORRIDOR_RESPONSE_MINUTES_CRITICAL", 60),
    2: env_int("CORRIDOR_RESPONSE_MINUTES_HIGH", 4 * 60),
    3: env_int("CORRIDOR_RESPONSE_MINUTES_NORMAL", 24 * 60),
    4: env_int("CORRIDOR_RESPONSE_MINUTES_LOW", 72 * 60),
}
# Failed codename look-ups per window above which the server logs a warning (a flood is on).
# Nothing is refused because of it: the Argon2id pool below bounds what a flood costs.
CORRIDOR_LOOKUP_FAILURE_LIMIT = env_int("CORRIDOR_LOOKUP_FAILURE_LIMIT", 60)
CORRIDOR_LOOKUP_WINDOW_SECONDS = env_int("CORRIDOR_LOOKUP_WINDOW_SECONDS", 10 * 60)
CORRIDOR_APPLICANT_IDLE_SECONDS = env_int("CORRIDOR_APPLICANT_IDLE_SECONDS", 15 * 60)
# --- Floods: the Argon2id pool, the busy page and the server's connections ---
# Every Argon2id call (new request, codename look-up, password check) runs in one pool
# whose memory is capped here (corridor.limits.pool): 512 MiB is two calls at the
# production cost, one per core of a small two-core server; more slots add memory, not
# speed. A call that cannot start within the wait gets the "busy, try again" page (503).
CORRIDOR_ARGON2_MEMORY_CAP_BYTES = env_int("CORRIDOR_ARGON2_MEMORY_CAP_BYTES", 512 * 1024 * 1024)
CORRIDOR_ARGON2_MAX_WAIT_SECONDS = env_int("CORRIDOR_ARGON2_MAX_WAIT_SECONDS", 5)
# The Retry-After of the busy page: what "try again in a minute" means.
CORRIDOR_BUSY_RETRY_SECONDS = env_int("CORRIDOR_BUSY_RETRY_SECONDS", 60)
# How long gunicorn keeps an idle connection open for the next request. Longer than the
# proxy's own idle timeout (nginx keeps upstream connections 60 s), so the proxy always
# closes first and never sends a request down a connection gunicorn is closing.
CORRIDOR_KEEPALIVE_SECONDS = env_int("CORRIDOR_KEEPALIVE_SECONDS", 75)
# Threads per gunicorn worker. A thread waiting for the pool holds no processor, but it
# does hold a place: under a flood every thread may wait, and other pages queue behind
# them. More threads keep pages answering in a flood, at the cost of more requests (and
# uploaded photos) in memory at once and one database connection each.
CORRIDOR_WEB_THREADS = env_int("CORRIDOR_WEB_THREADS", 4)
CORRIDOR_PHONE_REGION = env_str("CORRIDOR_PHONE_REGION", "RU")
# The vetting checklist, by item code (corridor.cases.vetting names the known ones; an
# organisation's own code is shown as it is written).
CORRIDOR_VETTING_CHECKLIST = env_list(
    "CORRIDOR_VETTING_CHECKLIST",
    [
        "identity_confirmed",
        "reference_contacted",
        "story_consistent",
        "documents_seen",
        "no_blocklist_match",
        "location_plausible",
    ],
)
# --- Staff pages: the one time zone they show times in ---
# A setting for the whole staff rather than a preference per user: the team works in
# one zone, the people it helps are in it, and a time read aloud between colleagues
# must mean the same to both. Times are stored in UTC; every staff page shows them in
# this zone, in one format (corridor.web.templatetags.staff_time).
CORRIDOR_STAFF_TIME_ZONE = env_str("CORRIDOR_STAFF_TIME_ZONE", "Europe/Moscow")
try:
    zoneinfo.ZoneInfo(CORRIDOR_STAFF_TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        "CORRIDOR_STAFF_TIME_ZONE must be an IANA time zone such as Europe/Moscow"
    ) from None
# The organisation's key fingerprints and codename salt, written once by `corridor init`
# (corridor.accounts.pins). Inline in CORRIDOR_KEY_PINS, or in a file: keep it where a
# database writer cannot reach (configuration, another mount), like the secret key.
CORRIDOR_KEY_PINS = env_str("CORRIDOR_KEY_PINS", "").strip()
CORRIDOR_KEY_PINS_FILE = Path(env_str("CORRIDOR_KEY_PINS_FILE", "") or DATA_DIR / "key_pins")
# Who may hold the evidence key, which opens the originals of uploads (with their GPS
# and camera metadata): fewer holders than the photos' staff copies.
CORRIDOR_EVIDENCE_ROLES = env_list("CORRIDOR_EVIDENCE_ROLES", ["coordinator", "documenter"])
# An optional pepper for blind indexes, held only in configuration: with it, a holder of
# the index key and a copy of the database still cannot test guesses offline.
CORRIDOR_INDEX_PEPPER = env_secret("CORRIDOR_INDEX_PEPPER")
# Security keys are bound to this domain and origin; unset, the request's validated host is used.
CORRIDOR_WEBAUTHN_RP_ID = env_str("CORRIDOR_WEBAUTHN_RP_ID", "")
CORRIDOR_WEBAUTHN_ORIGIN = env_str("CORRIDOR_WEBAUTHN_ORIGIN", "")
CORRIDOR_WEBAUTHN_RP_ID_SET = bool(CORRIDOR_WEBAUTHN_RP_ID and CORRIDOR_WEBAUTHN_ORIGIN)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "corridor.limits",
    "corridor.audit",
    "corridor.accounts",
    "corridor.hotline",
    "corridor.cases",
    "corridor.evacuation",
    "corridor.evacuation.checkins",
    "corridor.evacuation.relocation",
    "corridor.evacuation.money",
    "corridor.documentation",
    "corridor.documentation.consent",
    "corridor.documentation.evidence",
    "corridor.web",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "corridor.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "corridor.hotline.uploads.MultipartGuardMiddleware",
    "corridor.web.csrf.CsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "corridor.accounts.middleware.SessionGuardMiddleware",
    "corridor.web.busy.BusyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "corridor.urls"
WSGI_APPLICATION = "corridor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "corridor.web.context.shell",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL; leave it unset for SQLite")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "corridor.sqlite3"),
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers queue instead of deadlocking.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["corridor.accounts.backends.KeyUnlockBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff passwords are never hashed for storage: the Argon2id-wrapped user key is the
# verifier. This hasher list only serves Django internals that insist on one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

OTP_TOTP_ISSUER = CORRIDOR_ORG_NAME
OTP_TOTP_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("CORRIDOR_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = False

# Uploads are never spooled to disk in plaintext: the handler encrypts each file as it
# streams in (corridor.hotline.uploads). Form fields other than files share a 1 MiB cap.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CORRIDOR_MAX_FORM_BYTES", 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["corridor.hotline.uploads.EncryptingUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 10
CORRIDOR_UPLOAD_MAX_FILES = env_int("CORRIDOR_UPLOAD_MAX_FILES", 5)
CORRIDOR_UPLOAD_MAX_FILE_BYTES = env_int("CORRIDOR_UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024)
CORRIDOR_UPLOAD_MAX_TOTAL_BYTES = env_int("CORRIDOR_UPLOAD_MAX_TOTAL_BYTES", 25 * 1024 * 1024)
# The staff's copy of a photo (metadata removed) is made by a thread of the web process just
# after the person's request is answered (corridor.hotline.photos). Off: each request makes
# its copies before answering. The plaintext waiting for that thread is capped per process;
# past the cap, requests make their own copies.
CORRIDOR_PHOTO_COPIES_IN_BACKGROUND = env_bool("CORRIDOR_PHOTO_COPIES_IN_BACKGROUND", True)
CORRIDOR_PHOTO_QUEUE_BYTES = env_int("CORRIDOR_PHOTO_QUEUE_BYTES", 32 * 1024 * 1024)

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}


# Background work: a durable queue in the database, run by `corridor worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Nothing identifying is logged: no request lines, no IPs, no user agents.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "traceback_only": {"()": "corridor.web.errorlog.TracebackOnlyFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "errors": {"class": "logging.StreamHandler", "formatter": "traceback_only"},
    },
    "root": {"handlers": ["console"], "level": env_str("CORRIDOR_LOG_LEVEL", "WARNING")},
    "loggers": {
        # django.request and django.server would write paths and client addresses.
        # A 500 is still logged, as its exception type and traceback only (corridor.web.errorlog).
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Libraries that log data at DEBUG stay at WARNING whatever the root level:
        # Pillow writes EXIF tags (camera, GPS pointers), the database layer SQL parameters.
        "PIL": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "django.template": {"level": "WARNING"},
        "multipart": {"level": "WARNING"},
    },
}
ADMINS: list[tuple[str, str]] = []


# --- Background work and alerts ---
# `corridor worker` runs the TASKS queue above and enqueues the periodic jobs itself
# (corridor.web.management.commands.worker). Staff alerts are e-mails of one fixed text
# (corridor.hotline.alerts): each address gets its own copy, so no reader sees the others.
CORRIDOR_ALERT_RECIPIENTS = env_list("CORRIDOR_ALERT_RECIPIENTS", [])
CORRIDOR_ALERT_INTERVAL_MINUTES = env_int("CORRIDOR_ALERT_INTERVAL_MINUTES", 60)
if CORRIDOR_ALERT_INTERVAL_MINUTES < 1:
    raise ImproperlyConfigured("CORRIDOR_ALERT_INTERVAL_MINUTES must be at least 1")
# Lost contact: days without a sign of life (a message from the person, a logged contact)
# after which the worker gives the caseworker a task to decide on the lost-contact flag.
# Shorter while the person is on the move. Keys are stage codes; "default" covers the
# other watched stages (corridor.cases.rules.WATCHED_STAGES).
CORRIDOR_LOST_CONTACT_DAYS = {
    "default": env_int("CORRIDOR_LOST_CONTACT_DAYS", 7),
    "in_transit": env_int("CORRIDOR_LOST_CONTACT_DAYS_IN_TRANSIT", 3),
}
if min(CORRIDOR_LOST_CONTACT_DAYS.values()) < 1:
    raise ImproperlyConfigured("CORRIDOR_LOST_CONTACT_DAYS(_IN_TRANSIT) must be at least 1")
# How often the worker looks for overdue tasks (and then sends the fixed staff alert once).
CORRIDOR_TASK_REMINDER_MINUTES = env_int("CORRIDOR_TASK_REMINDER_MINUTES", 15)
if CORRIDOR_TASK_REMINDER_MINUTES < 1:
    raise ImproperlyConfigured("CORRIDOR_TASK_REMINDER_MINUTES must be at least 1")
# Check-ins (the dead man's switch): how often a person on the move or in hiding checks in,
# and how long after a missed check-in each escalation step comes (the caseworker after one
# grace, the coordinators after two, a proposed lost-contact flag after three). Minutes;
# "default" covers every stage but in_transit, which is watched more closely.
CORRIDOR_CHECKIN_INTERVAL_MINUTES = {
    "default": env_int("CORRIDOR_CHECKIN_INTERVAL_MINUTES", 24 * 60),
    "in_transit": env_int("CORRIDOR_CHECKIN_INTERVAL_MINUTES_IN_TRANSIT", 3 * 60),
}
CORRIDOR_CHECKIN_GRACE_MINUTES = {
    "default": env_int("CORRIDOR_CHECKIN_GRACE_MINUTES", 4 * 60),
    "in_transit": env_int("CORRIDOR_CHECKIN_GRACE_MINUTES_IN_TRANSIT", 30),
}
if min(CORRIDOR_CHECKIN_INTERVAL_MINUTES.values()) < 15:
    raise ImproperlyConfigured("CORRIDOR_CHECKIN_INTERVAL_MINUTES(_IN_TRANSIT) must be at least 15")
if min(CORRIDOR_CHECKIN_GRACE_MINUTES.values()) < 5:
    raise ImproperlyConfigured("CORRIDOR_CHECKIN_GRACE_MINUTES(_IN_TRANSIT) must be at least 5")
# How often the worker sweeps the schedules for missed check-ins.
CORRIDOR_CHECKIN_SWEEP_MINUTES = env_int("CORRIDOR_CHECKIN_SWEEP_MINUTES", 5)
if not 1 <= CORRIDOR_CHECKIN_SWEEP_MINUTES <= min(CORRIDOR_CHECKIN_GRACE_MINUTES.values()):
    raise ImproperlyConfigured(
        "CORRIDOR_CHECKIN_SWEEP_MINUTES must be at least 1 and no longer than the shortest grace"
    )


# Money. An expense above the threshold of its currency (whole units) waits for a
# coordinator's approval and counts as spent only once approved. Expenses are accepted
# only in the currencies listed, so none escapes the rule and no exchange rate is needed.
def _money_thresholds(raw: str) -> dict[str, int]:
    thresholds: dict[str, int] = {}
    for item in raw.split(","):
        code, _sep, amount = item.strip().partition("=")
        if not (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper()):
            raise ImproperlyConfigured(f"CORRIDOR_MONEY_THRESHOLDS: {code!r} is not an ISO 4217 code")
        if not (amount.isascii() and amount.isdigit() and 0 < int(amount) < 10**9):
            raise ImproperlyConfigured(f"CORRIDOR_MONEY_THRESHOLDS: {code} needs a whole amount above 0")
        thresholds[code] = int(amount)
    return thresholds


CORRIDOR_MONEY_THRESHOLDS = _money_thresholds(
    env_str("CORRIDOR_MONEY_THRESHOLDS", "EUR=300,USD=350,RUB=30000,GEL=1000,TRY=12000,KZT=170000")
)
# The donor report hides every figure that fewer people than this stand behind.
CORRIDOR_MONEY_MIN_PEOPLE = env_int("CORRIDOR_MONEY_MIN_PEOPLE", 3)
if CORRIDOR_MONEY_MIN_PEOPLE < 2:
    raise ImproperlyConfigured("CORRIDOR_MONEY_MIN_PEOPLE must be at least 2")

DEFAULT_FROM_EMAIL = env_str("CORRIDOR_EMAIL_FROM", "corridor@localhost")
# Django 6.1 configures mail with MAILERS; EMAIL_BACKEND, EMAIL_HOST and friends are
# deprecated and must not be set alongside it. Development prints mail to the console;
# production sends through SMTP, with STARTTLS unless told otherwise.
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_email_backend = env_str(
    "CORRIDOR_EMAIL_BACKEND",
    _SMTP_BACKEND if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
_email_options: dict[str, object] = {}
if _email_backend == _SMTP_BACKEND:
    _email_ssl = env_bool("CORRIDOR_EMAIL_USE_SSL", False)
    _email_tls = env_bool("CORRIDOR_EMAIL_USE_TLS", not _email_ssl)
    if _email_tls and _email_ssl:
        raise ImproperlyConfigured("set CORRIDOR_EMAIL_USE_TLS or CORRIDOR_EMAIL_USE_SSL, not both")
    _email_options = {
        "host": env_str("CORRIDOR_EMAIL_HOST", "localhost"),
        "username": env_str("CORRIDOR_EMAIL_USER", ""),
        "password": env_secret("CORRIDOR_EMAIL_PASSWORD"),
        "use_tls": _email_tls,
        "use_ssl": _email_ssl,
        # A stuck relay must not hold the worker for ever.
        "timeout": env_int("CORRIDOR_EMAIL_TIMEOUT_SECONDS", 30),
    }
    _email_port = env_int("CORRIDOR_EMAIL_PORT", 0)
    if _email_port:  # unset: 587 with STARTTLS, 465 with SSL, 25 with neither
        _email_options["port"] = _email_port
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
