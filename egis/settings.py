"""One settings module, read from the environment.

Everything that differs between a laptop, CI and production comes from environment variables;
the defaults run Egis offline on SQLite with the simulated price feed.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url

from egis.ops.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("EGIS_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("EGIS_DEBUG", False)
TESTING = env_bool("EGIS_TESTING", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a key file created once in the data folder."""
    from_env = os.environ.get("SECRET_KEY") or os.environ.get("EGIS_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h for h in os.environ.get("EGIS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("EGIS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "egis.accounts",
    "egis.venues",
    "egis.venues.paper",
    "egis.bots",
    "egis.ledger",
    "egis.execution",
    "egis.audit",
    "egis.signals",
    "egis.exits",  # exits (issue 12)
    "egis.portfolio",  # cockpit: closed totals, pause, close all, history, export
    "egis.notifications",
    "egis.cli",
    "egis.web",
    "egis.ops",
    "huey.contrib.djhuey",
    "ninja",  # serves the API docs' assets locally (no CDN, CSP-friendly)
    "django_vite",
    "inertia",
]

MIDDLEWARE = [
    # First: every log line of the request, refusals included, carries its request id.
    "egis.ops.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise and CommonMiddleware: static files and early refusals (a bad Host
    # header) get the frame denial and the content security policy too.
    "egis.web.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "egis.web.middleware.PrivatePagesNoStoreMiddleware",
    "egis.web.middleware.StaleActionLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads the body (the CSRF check's process_view, the view): an oversize
    # body is a 413 page and one warning line, not Django's 400 with an ERROR traceback.
    "egis.web.middleware.BodyTooLargeMiddleware",
    "egis.web.middleware.DatabaseBusyMiddleware",
    "egis.web.middleware.InertiaPagesMiddleware",  # Inertia's middleware, for pages only
]
# The webhook's own chain (egis/web/hook_handler.py; egis.wsgi sends /hooks/<hook_id>
# there): no session, CSRF, auth, messages, static files or Inertia, which a signal sender never
# uses, but the request id and every security header the answers above get. A middleware added
# to MIDDLEWARE must be added here too, or named as not needed in
# tests/signals/test_hook_handler.py.
HOOK_MIDDLEWARE = [
    "egis.ops.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "egis.web.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.common.CommonMiddleware",  # the Host check and Content-Length
    "egis.web.middleware.HookDatabaseBusyMiddleware",
]

ROOT_URLCONF = "egis.urls"
WSGI_APPLICATION = "egis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "egis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# SQLite by default (WAL, a busy timeout, BEGIN IMMEDIATE so a transaction takes the write lock
# when it starts: that is what serialises two opens on one bot); PostgreSQL by DATABASE_URL.
SQLITE_PATH = DATA_DIR / "egis.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
# Django's SQLite backend with the writers' gate (egis.core.writer_gate): a writer that waits
# for another is let in within a fifth of a millisecond of its commit, not after SQLite's busy
# sleeps.
SQLITE_ENGINE = "egis.core.sqlite_backend"
SQLITE_BUSY_TIMEOUT_S = int(os.environ.get("EGIS_SQLITE_BUSY_TIMEOUT", "20"))

# Connections are kept between requests (opening one and running its PRAGMAs cost more than a
# whole order); a health check replaces one the database dropped.
DB_CONN_MAX_AGE = int(os.environ.get("EGIS_DB_CONN_MAX_AGE", "600"))
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
if _db["ENGINE"] in ("django.db.backends.sqlite3", SQLITE_ENGINE):
    _db["ENGINE"] = SQLITE_ENGINE
    _db["OPTIONS"] = {
        "timeout": SQLITE_BUSY_TIMEOUT_S,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test-egis.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# `npm run build` writes the bundle to egis/static/build/ (git-ignored); served as /static/build/.
VITE_OUT_DIR = BASE_DIR / "egis" / "static" / "build"
STATICFILES_DIRS: list[tuple[str, Path]] = [("build", VITE_OUT_DIR)]
DJANGO_VITE = {
    "default": {
        # EGIS_VITE_DEV=1 loads modules from `node_modules/.bin/vite` (port 5173) instead.
        "dev_mode": env_bool("EGIS_VITE_DEV", False),
        "static_url_prefix": "build",
        "manifest_path": VITE_OUT_DIR / ".vite" / "manifest.json",
    }
}
INERTIA_LAYOUT = "base.html"
# Request bodies: every form and API body Egis takes is a few hundred bytes. Django refuses to
# read more: a 413 on pages (egis.web.middleware.BodyTooLargeMiddleware) and on the API; the
# webhook has its own, lower limit (also 413). Same figure as egis.core.inputs.MAX_BODY_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
LOGIN_URL = "/login"
LOGIN_REDIRECT_URL = "/"
# A cache every web process shares (login throttling counts failures across workers).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(
    os.environ.get("EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")
)
EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS", "20")
)
EGIS_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("EGIS_LOGIN_LOCKOUT_SECONDS", "900"))
# Past this many failures of one account from anywhere, only addresses it logged in from before
# may try (see egis/web/throttle.py): a distributed guess cannot lock the real user out.
EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE = int(
    os.environ.get("EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE", "100")
)
EGIS_LOGIN_KNOWN_ADDRESS_SECONDS = int(
    os.environ.get("EGIS_LOGIN_KNOWN_ADDRESS_SECONDS", str(30 * 24 * 3600))
)

# --- security baseline ----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "egis.web.views_errors.csrf_failure"
HTTPS = env_bool("EGIS_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not DEBUG
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto and X-Forwarded-For (only then are
# they trusted; egis.accounts.throttle.client_address reads the client's address from the last).
EGIS_BEHIND_TLS_PROXY = env_bool("EGIS_BEHIND_TLS_PROXY", False)
if EGIS_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Egis -----------------------------------------------------------------------------------
EGIS_PRICE_SOURCE = os.environ.get("EGIS_PRICE_SOURCE", "simulated")
EGIS_PRICE_SEED = int(os.environ.get("EGIS_PRICE_SEED", "7"))
EGIS_PRICE_TICK_SECONDS = int(os.environ.get("EGIS_PRICE_TICK_SECONDS", "5"))
# Live screens (issue 13): the worker keeps the last EGIS_PRICE_HISTORY_POINTS prices per symbol
# for the chart (an hour at 5 s ticks); a price older than EGIS_PRICE_STALE_SECONDS is shown as
# stale; open pages ask for fresh figures every EGIS_LIVE_REFRESH_SECONDS.
EGIS_PRICE_HISTORY_POINTS = int(os.environ.get("EGIS_PRICE_HISTORY_POINTS", "720"))
EGIS_PRICE_STALE_SECONDS = int(os.environ.get("EGIS_PRICE_STALE_SECONDS", "30"))
EGIS_LIVE_REFRESH_SECONDS = int(os.environ.get("EGIS_LIVE_REFRESH_SECONDS", "3"))
EGIS_BINANCE_PUBLIC_URL = os.environ.get("EGIS_BINANCE_PUBLIC_URL", "https://fapi.binance.com")
EGIS_DEBUG_BUDGET = env_bool("EGIS_DEBUG_BUDGET", False)
EGIS_PAPER_SLIPPAGE_BPS = Decimal(os.environ.get("EGIS_PAPER_SLIPPAGE_BPS", "0"))
EGIS_PAPER_TAKER_FEE_RATE = Decimal(os.environ.get("EGIS_PAPER_TAKER_FEE_RATE", "0.0005"))
EGIS_PAPER_FILL_RATIO = Decimal(os.environ.get("EGIS_PAPER_FILL_RATIO", "1"))
EGIS_JOURNAL_PATH = Path(os.environ.get("EGIS_JOURNAL_PATH", DATA_DIR / "journal.jsonl"))
EGIS_ALLOW_PRODUCTION = env_bool("EGIS_ALLOW_PRODUCTION", False)
# Recovery of in-flight orders (egis.execution.recovery): an order still `submitting` or `unknown`
# this long after it was written is looked up at its venue by client order id. "Not found" releases
# its hold only after that many answers spread over the grace period (a venue can lag right after
# placing); a fate still undecided after EGIS_RECOVERY_ESCALATE_S becomes an incident.
EGIS_RECOVERY_TIMEOUT_S = int(os.environ.get("EGIS_RECOVERY_TIMEOUT_S", "30"))
EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = int(os.environ.get("EGIS_RECOVERY_NOT_FOUND_ATTEMPTS", "3"))
EGIS_RECOVERY_NOT_FOUND_GRACE_S = int(os.environ.get("EGIS_RECOVERY_NOT_FOUND_GRACE_S", "60"))
EGIS_RECOVERY_ESCALATE_S = int(os.environ.get("EGIS_RECOVERY_ESCALATE_S", "300"))
# Binance USD-M adapter (egis.venues.binance). The price buffer sizes a MARKET order's hold so a
# fill slightly worse than the mark price still fits the requested amount.
# Binance exits (issue 12, egis.exits.binance_recovery): resting algo orders are polled this often
# (no user-data stream yet): a fired exit is booked and its sibling cancelled within it.
EGIS_EXITS_POLL_SECONDS = int(os.environ.get("EGIS_EXITS_POLL_SECONDS", "5"))
# A Binance exit recovery judged never placed is placed again (new derived clientAlgoId) while its
# position stays open, at most this many times per exit (egis.exits.binance_replace); 0: never.
EGIS_EXIT_REPLACE_ATTEMPTS = int(os.environ.get("EGIS_EXIT_REPLACE_ATTEMPTS", "3"))
EGIS_BINANCE_PRICE_BUFFER_BPS = Decimal(os.environ.get("EGIS_BINANCE_PRICE_BUFFER_BPS", "10"))
EGIS_BINANCE_TIMEOUT_S = float(os.environ.get("EGIS_BINANCE_TIMEOUT_S", "10"))
EGIS_BINANCE_RECV_WINDOW_MS = int(os.environ.get("EGIS_BINANCE_RECV_WINDOW_MS", "5000"))
if not 0 < EGIS_BINANCE_RECV_WINDOW_MS <= 60000:
    # Binance refuses every signed request with a recvWindow above 60000 ms: say so at start-up,
    # not at the first order.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"EGIS_BINANCE_RECV_WINDOW_MS={EGIS_BINANCE_RECV_WINDOW_MS} is refused: Binance accepts "
        "a recvWindow of 1 to 60000 ms (default 5000)."
    )
EGIS_BINANCE_FILTERS_MAX_AGE_S = int(os.environ.get("EGIS_BINANCE_FILTERS_MAX_AGE_S", "3600"))

# No job's return value is ever read: storing them (Huey's default) grew the queue's storage by
# one entry per job, forever.
HUEY = {
    "huey_class": "egis.ops.queue_storage.SqliteQueue",  # WAL, synchronous=NORMAL
    "name": "egis",
    "filename": str(DATA_DIR / "huey.sqlite3"),
    "immediate": TESTING,
    "utc": True,
    "results": False,
    # A queue in SQLite is polled. Huey's default lets an idle worker thread wait up to 10 s
    # between two looks (0.1 s, growing by 1.15 per empty look): a signal arriving after a quiet
    # minute waited seconds before it ran. Here at most 0.1 s; an empty look is one indexed
    # SELECT on the queue file. (On Redis the dequeue blocks and wakes at once.)
    "consumer": {"initial_delay": 0.02, "backoff": 1.15, "max_delay": 0.1},
}
if os.environ.get("EGIS_REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "egis",
        "url": os.environ["EGIS_REDIS_URL"],
        "immediate": TESTING,
        "utc": True,
        "results": False,
    }
    # Several web hosts: the throttles' counters (logins, webhooks) must be one set for all of
    # them, not one per host's file cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["EGIS_REDIS_URL"],
            "KEY_PREFIX": "egis-cache",
        }
    }

# --- operations (egis/ops): logs, probes, metrics, periodic runs ----------------------------
# EGIS_LOG_JSON=1: one JSON object a line. Every line carries the request id (or the worker job's
# id) and the client order id of the order being handled, in either format.
EGIS_LOG_JSON = env_bool("EGIS_LOG_JSON", False)
# /metrics answers only with `Authorization: Bearer <EGIS_METRICS_TOKEN>`; unset, it is a 404.
EGIS_METRICS_TOKEN = os.environ.get("EGIS_METRICS_TOKEN", "")
# /readyz: the simulated price feed counts as stale past this many seconds without a move.
EGIS_READY_PRICE_MAX_AGE_S = int(os.environ.get("EGIS_READY_PRICE_MAX_AGE_S", "180"))
# Record every queued job's enqueue, start and finish in ops_job_runs (make scale-check's proof
# of "exactly once"; one write per job and per step, so off by default).
EGIS_TRACE_JOBS = env_bool("EGIS_TRACE_JOBS", False)
# Probes come from inside (a load balancer, Prometheus), in plain HTTP behind the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

LOGGING = logging_config(json_lines=EGIS_LOG_JSON)

# Signals (egis.signals): a claim older than the lease belongs to a dead worker and is resumed;
# webhook requests are throttled per hook (all requests) and per address (failed ones).
EGIS_SIGNAL_LEASE_S = int(os.environ.get("EGIS_SIGNAL_LEASE_S", "120"))
EGIS_HOOK_MAX_PER_MINUTE = int(os.environ.get("EGIS_HOOK_MAX_PER_MINUTE", "1200"))
EGIS_HOOK_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("EGIS_HOOK_MAX_FAILURES_PER_ADDRESS", "20"))
EGIS_HOOK_FAILURE_WINDOW_S = int(os.environ.get("EGIS_HOOK_FAILURE_WINDOW_S", "600"))
# The public base URL shown for webhooks (TradingView calls only ports 80/443); empty: the
# request's own host.
EGIS_PUBLIC_URL = os.environ.get("EGIS_PUBLIC_URL", "").rstrip("/")
# The demo's built-in signal source posts to this web process (set by `make run`); unset: off.
EGIS_DEMO_SIGNALS_URL = os.environ.get("EGIS_DEMO_SIGNALS_URL", "").rstrip("/")

# Notifications (egis.notifications): delivered by the worker, never in a request. The Telegram
# Bot API base is a setting so tests and a local demo point it at a fake server on loopback.
EGIS_TELEGRAM_API_BASE = os.environ.get("EGIS_TELEGRAM_API_BASE", "https://api.telegram.org")
EGIS_TELEGRAM_MIN_INTERVAL_S = float(os.environ.get("EGIS_TELEGRAM_MIN_INTERVAL_S", "1"))
EGIS_NOTIFY_TIMEOUT_S = float(os.environ.get("EGIS_NOTIFY_TIMEOUT_S", "5"))
EGIS_NOTIFY_BACKOFF_S = float(os.environ.get("EGIS_NOTIFY_BACKOFF_S", "10"))
EGIS_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("EGIS_NOTIFY_MAX_ATTEMPTS", "10"))
# Outgoing webhooks post only to public addresses unless this is set (a local receiver).
EGIS_WEBHOOK_ALLOW_PRIVATE = env_bool("EGIS_WEBHOOK_ALLOW_PRIVATE", False)
