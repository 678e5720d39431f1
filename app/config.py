"""Settings, read from the environment once at start-up."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def shipped(name: str) -> Path:
    """One of the repository's top-level folders the app reads: static/, migrations/, courses/.

    They stay at the top of a clone (and of an editable install); the package build copies them
    into app/shipped/ (setup.py), where an installed wheel finds them.
    """
    inside = BASE_DIR / "app" / "shipped" / name
    return inside if inside.is_dir() else BASE_DIR / name


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url  # empty: create_app puts an SQLite file in the instance folder


# Accepted only with debug or testing on: create_app refuses to start with it otherwise.
DEV_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_BYTES = 32


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    # No pre-ping: it cost a round trip per request (docs/performance.md). A connection the
    # server dropped fails one request, and SQLAlchemy then discards the whole pool; recycling
    # connections after 5 minutes keeps them clear of idle timeouts in proxies and servers.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 300}

    # Report pages and exports read from here (a PostgreSQL streaming replica) when it is set;
    # everything else, and every write, uses SQLALCHEMY_DATABASE_URI. See docs/operations.md.
    REPORTS_DATABASE_URL = os.environ.get("REPORTS_DATABASE_URL", "")

    COURSES_DIR = os.environ.get("COURSES_DIR", str(shipped("courses")))

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Jakarta")
    LANGUAGES = ("id", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_DAYS", "30")))
    # How many reverse proxies in front of the app add X-Forwarded-For/-Proto (Werkzeug's
    # ProxyFix). 0: the app faces clients directly. 1: one nginx or Caddy, as in the README.
    # Too high lets clients forge their address; too low makes everyone one address.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # Shared store for sign-in throttling (and rate limits); the database when empty.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Members of the public may create an account (email confirmed by a link; no NIP, no unit).
    SELF_REGISTRATION = os.environ.get("SELF_REGISTRATION", "0") == "1"

    # Course uploads: the service refuses archives over 50 MB; a request much larger than that
    # is cut off before it is read (413, a friendly page).
    MAX_CONTENT_LENGTH = 50 * 1024 * 1024 + 256 * 1024

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    # Also caches the signed-in user's row (app/services/user_cache.py); empty: no cache.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_HEADERS_ENABLED = True
    # Only for a throwaway server under a contract or load test: RATELIMIT_ENABLED=0. (Unset,
    # the setting stays absent, as Flask-Limiter's own default expects.)
    if os.environ.get("RATELIMIT_ENABLED") == "0":
        RATELIMIT_ENABLED = False

    # Argon2id cost; lowered only in tests.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 64 * 1024

    JP_YEARLY_TARGET = int(os.environ.get("JP_YEARLY_TARGET", "20"))
    # The issuer named on certificates and printed courses.
    INSTITUTION_NAME = os.environ.get("INSTITUTION_NAME", "Lentera")

    # Where people reach Lentera; one-time password links start with it (the command line
    # has no request to take the host from). Empty: the request's own host is used.
    BASE_URL = os.environ.get("BASE_URL", "")
    # SMTP for one-time password links; without MAIL_SERVER the admin hands the links out.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Lentera <lentera@localhost>")

    # One year, immutable: static and media URLs carry a content fingerprint.
    STATIC_MAX_AGE = 365 * 24 * 3600

    # JSON API (app/api): bearer tokens live this many days; flask-smorest's document settings.
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
    API_TITLE = "Lentera API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = False
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 64
    MAIL_SERVER = ""
    BASE_URL = ""
    REDIS_URL = ""
    TRUSTED_PROXY_HOPS = 0
    SELF_REGISTRATION = False
    REPORTS_DATABASE_URL = ""
