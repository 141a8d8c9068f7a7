"""Settings for the news application: one file, configured by the environment.

The embedded default (no environment at all) is a safe development setup: debug on,
SQLite in WAL mode, console e-mail, tasks run in-process. Production is switched on by
``DJANGO_DEBUG=0`` and refuses to start without its secrets. Every variable read here is
listed in ``.env.example``.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_count(name: str) -> int:
    """A whole number, 0 or more (0 when unset); anything else stops the start-up."""
    value = os.environ.get(name, "").strip() or "0"
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more.")
    return int(value)


def env_secret(name: str, dev_default: str) -> str:
    """A secret from the environment; the development default exists only while debug is on."""
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG=0.")


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
# Keys for pseudonyms and field encryption (used by the consent app); urlsafe base64 of
# 32 bytes. The development values are public and only ever used with debug on.
PSEUDONYM_KEY = env_secret("DJANGO_PSEUDONYM_KEY", "ZGV2LW9ubHktcHNldWRvbnltLWtleS0zMi1ieXRlcyE=")
FIELD_ENCRYPTION_KEYS = env_list(
    "DJANGO_FIELD_ENCRYPTION_KEYS",
    "" if not DEBUG else "ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXkhISE=",
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("DJANGO_FIELD_ENCRYPTION_KEYS must be set when DJANGO_DEBUG=0.")

# Ed25519 private key (urlsafe base64 of the 32-byte seed) that signs consent-ledger
# checkpoints; `verify_consent_ledger --checkpoint` refuses to run without one.
LEDGER_SIGNING_KEY = os.environ.get(
    "DJANGO_LEDGER_SIGNING_KEY", "ZGV2LW9ubHktbGVkZ2VyLXNpZ25pbmcta2V5LTMyYiE=" if DEBUG else ""
)
# Readers' personal pages also go through these consent-layer hooks.
ACCOUNT_SIGNUP_FORM_CLASS = "consent.forms.SignupConsentForm"
# allauth's forms in the site's words (accounts/forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "add_email": "accounts.forms.AddEmailForm",
    "change_password": "accounts.forms.ChangePasswordForm",
    "set_password": "accounts.forms.SetPasswordForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "accounts.forms.ResetPasswordKeyForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
}

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")


def site_url() -> str:
    """The canonical origin of links in e-mails (DJANGO_SITE_URL), never the request's host.

    Production defaults to https:// and the first allowed host when that is one plain name.
    """
    value = os.environ.get("DJANGO_SITE_URL", "").strip().rstrip("/")
    if not value:
        if DEBUG:
            return "http://127.0.0.1:8000"
        host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else ""
        if not host or host.startswith(".") or "*" in host:
            raise ImproperlyConfigured(
                "DJANGO_SITE_URL must be set when DJANGO_DEBUG=0 (the https address of the "
                "site, used in e-mailed links), or DJANGO_ALLOWED_HOSTS must start with one."
            )
        value = f"https://{host}"
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path:
        raise ImproperlyConfigured(
            "DJANGO_SITE_URL must be an origin such as https://news.example.org (no path)."
        )
    if not DEBUG and parts.scheme != "https":
        raise ImproperlyConfigured("DJANGO_SITE_URL must be an https address in production.")
    return value


SITE_URL = site_url()

INSTALLED_APPS = [
    # The task queue's table, made by `migrate` in every shape; before newsapp, whose admin
    # takes the queue's own admin out again.
    "django_tasks_db",
    "accounts",
    "consent",
    "newsapp.apps.NewsConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
]

MIDDLEWARE = [
    # First, so every log line written while a request runs carries its X-Request-ID.
    "newsapp.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsapp.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body: one that is too large is refused unread.
    "newsapp.core.middleware.RequestSizeMiddleware",
    # Inside the security headers, so a 503 during a database outage still carries them.
    "newsapp.core.outage.DatabaseUnavailableMiddleware",
    # Django's, with a session that cannot be saved in an outage answered as the outage.
    "newsapp.core.outage.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    # Around the views: a signed-in POST moves the reader's data token (consent.changes).
    "consent.changes.ReaderChangesMiddleware",
    "accounts.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
    "consent.reconsent.ReconsentMiddleware",
    "newsapp.middleware.RegionVisitMiddleware",
]

ROOT_URLCONF = "newsapp.urls"
WSGI_APPLICATION = "newsapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsapp.core.context_processors.site",
                "newsapp.display.context",
                "newsapp.context_processors.saved_articles",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when PostgreSQL is down or unreachable: the reader gets the 503 page
    # (newsapp.core.outage) in seconds instead of a worker hanging on connect until it is
    # killed. Persistent connections are health-checked (conn_health_checks above), so
    # the app reconnects by itself once the database is back. A URL may still override.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids lock upgrades
    # failing half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # OWASP ASVS 2.1.1
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: e-mail is the login, verified before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_SIGNUP_REDIRECT_URL = "/topics/?welcome=1"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # each subject names the site itself (templates/account/email)
LOGIN_URL = "account_login"
# Rate limits, counted in the shared cache below so every worker enforces the same budget.
# The admin login goes through allauth (newsapp/urls.py), so these cover staff as well.
#
# Per "ip" means per client address, which behind the TLS proxy production requires is read
# from X-Forwarded-For through DJANGO_TRUSTED_PROXY_COUNT proxies (allauth takes the entry
# that many places from the end, the one our outermost proxy appended); with 0 the header
# is ignored and every client counts as REMOTE_ADDR, so behind a proxy one stranger's failed
# sign-ins would lock everyone out. Per "key" is per account: one account gets at most
# 5 wrong passwords in 5 minutes and 20 an hour, from however many addresses (a password
# reset clears it).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip,300/h/ip",
    "login_failed": "10/m/ip,5/5m/key,20/h/key",
    "signup": "10/m/ip,50/h/ip",
    "reset_password": "10/m/ip,3/m/key,10/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = env_count("DJANGO_TRUSTED_PROXY_COUNT")
# Changing the e-mail address or the password asks for the password again (MFA changes
# already do, MFA_REAUTHENTICATION_REQUIRED defaults to True).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300

# Multi-factor authentication: TOTP with recovery codes; required for staff before the
# admin (accounts.middleware.StaffMFAMiddleware). Secrets are stored AES-GCM encrypted
# under the field-encryption keys (accounts.adapters.MFAAdapter).
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Plainsight"
MFA_RECOVERY_CODES_SHOW_ONCE = True
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")

# What the site calls itself: every e-mail names it, and links to SITE_URL (above), never
# to the host a request happened to arrive on.
SITE_NAME = "Plainsight"
# The controller named in the record of processing (GDPR Art. 30(1)(a)).
CONTROLLER_NAME = os.environ.get("DJANGO_CONTROLLER_NAME", "The publisher of Plainsight")
CONTROLLER_CONTACT = os.environ.get("DJANGO_CONTROLLER_CONTACT", DEFAULT_FROM_EMAIL)

# One cache shared by every worker: allauth's rate limits live here, and a per-process cache
# would let each worker grant its own budget. The database cache's table is made by
# `manage.py migrate` (newsapp/migrations/0007_shared_cache_table.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsapp",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "newsapp_cache",
            # Django's default (300 entries, then a third deleted at random) would wipe
            # rate-limit counters and the daily counts the private statistics keep as
            # soon as a few hundred readers are active, and one abuser filling the cache
            # could reset everyone's limits. Expired entries still go at each cull.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

# Background work (Django's Tasks API). In production it is queued in the database and run
# by the django-tasks-db worker (`manage.py db_worker`), never inside a web request; tasks
# run in-process only with debug on (development, and the test suite).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if DEBUG
        else "django_tasks_db.DatabaseBackend",
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Pictures (uploaded or fetched from feeds, re-encoded by newsapp.ingest.images) are stored
# here and served from this site by newsapp.core.media, or by a reverse proxy (README).
MEDIA_ROOT = Path(os.environ.get("NEWSAPP_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
IMAGES_MAX_BYTES = 8 * 1024 * 1024  # a picture larger than this is not downloaded
IMAGES_MAX_PIXELS = 40_000_000  # nor decoded beyond this (decompression bombs)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Where the recommender index is saved, shared by every worker on the machine.
RECOMMENDER_INDEX_DIR = Path(os.environ.get("NEWSAPP_INDEX_DIR", BASE_DIR / "var" / "index"))
# Freshness half-life of the "For you" ranking, in hours.
RECOMMENDER_HALF_LIFE_HOURS = float(os.environ.get("NEWSAPP_HALF_LIFE_HOURS", "72"))
FEED_PAGE_SIZE = 20
# Feed import fetches only public addresses; loopback may be allowed for tests and local
# checks (private, link-local and reserved addresses are always refused).
FEEDS_ALLOW_LOOPBACK = env_bool("DJANGO_FEEDS_ALLOW_LOOPBACK", False)

# Request sizes. No page takes a file; the largest form is an article in the admin. A body
# over MAX_REQUEST_BYTES (files included) is answered 413 before anything reads it
# (newsapp.core.middleware.RequestSizeMiddleware); Django's own limits stay below it.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 512 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# Characters of sanitised HTML an article keeps; an imported body beyond it is cut short
# with a note saying so, and the admin refuses a longer one.
ARTICLE_BODY_MAX_LENGTH = 100_000

# Limits on what a reader may state, refused with a message beyond them.
MAX_FOLLOWED_TOPICS = 50
MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 50

# Differentially private statistics for editors (opendp, discrete Laplace).
DP_EPSILON_PER_RELEASE = float(os.environ.get("NEWSAPP_DP_EPSILON", "0.5"))
DP_DAILY_EPSILON_BUDGET = float(os.environ.get("NEWSAPP_DP_DAILY_BUDGET", "2.0"))
DP_MIN_SHOWN = 10  # noisy figures below this are shown as "fewer than 10"
DP_MAX_TOPICS_PER_READER = 5  # contribution bound for followers per topic
DP_MAX_READS_PER_READER_PER_DAY = 5  # contribution bound for reads
DP_MAX_TOPICS_PER_ARTICLE = 2
# Exposure audit of the recommender (manage.py audit_recommendations): readers sampled at
# most, and the days of published articles that make the newsroom's supply.
AUDIT_SAMPLE_READERS = int(os.environ.get("NEWSAPP_AUDIT_SAMPLE_READERS", "10000"))
AUDIT_WINDOW_DAYS = int(os.environ.get("NEWSAPP_AUDIT_WINDOW_DAYS", "7"))
# Ranking experiments: outcomes one reader adds per experiment and day (the contribution
# bound of the released results), and how long a worker keeps the list of experiments.
EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY = DP_MAX_READS_PER_READER_PER_DAY
EXPERIMENT_CACHE_SECONDS = 30
# Exports and clears a reader may ask for per hour (then a 429 that says when to retry).
PRIVACY_REQUESTS_PER_HOUR = 10
# The "schema" of /privacy/export.json (a contract of DESIGN.md).
PRIVACY_EXPORT_SCHEMA = "newsapp.export/1"

SESSION_ENGINE = "accounts.sessions"  # Django's database store, its read written once as SQL
SESSION_COOKIE_HTTPONLY = True
# Messages ("Successfully signed in as <address>") live in the session on the server, not in
# a cookie of their own: no cookie holds anything personal.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it; forms carry the token
# Idle expiry: a session ends SESSION_COOKIE_AGE after the *last* request; its expiry is
# renewed at most every SESSION_RENEW_INTERVAL instead of a write on every request.
# Absolute expiry: SESSION_ABSOLUTE_AGE after sign-in, however active. Both enforced by
# accounts.middleware.SessionExpiryMiddleware. OWASP ASVS 3.3.2 (level 2).
SESSION_COOKIE_AGE = 60 * 60 * 2
SESSION_RENEW_INTERVAL = 60 * 5
SESSION_ABSOLUTE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"  # newsapp.core.middleware
# Browser features pages may use; every other one is denied in Permissions-Policy.
PERMISSIONS_POLICY_ALLOW = {"geolocation": "(self)"}

# Content-Security-Policy (django-csp 4): nothing from other origins, no inline script or
# style, scripts only from our origin or carrying this response's nonce ({{ CSP_NONCE }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: only for the TOTP QR code allauth renders
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "upgrade-insecure-requests": not DEBUG,
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # `__Host-` cookies must be Secure, host-only (no Domain) and for Path=/; browsers
    # refuse them otherwise, so a misconfiguration fails loudly.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    DISPLAY_COOKIE_NAME = "__Host-display"  # newsapp.privacy.DISPLAY_COOKIE

# One JSON object per line on stderr, each with the request id; request errors (4xx
# warnings, 5xx errors) and authentication events, never an e-mail or what a reader typed
# (newsapp.core.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsapp.core.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "newsapp.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        # Without Django's own handlers (a second, plain-text copy); up to the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "newsapp.security": {"level": "INFO"},
        # The signed checkpoint heads, for a copy outside the database (consent.tasks).
        "consent.tasks": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
