"""Default settings. No secrets here: SECRET_KEY and DATABASE_URL come from
instance/config.py or the environment (see create_app)."""

from datetime import timedelta
from pathlib import Path


class DefaultConfig:
    # "development" or "production"; production demands a SECRET_KEY and secure cookies.
    GRANTS_ENV = "development"

    # Filled in by create_app: a SQLite file in instance/ unless DATABASE_URL is set.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Number of reverse proxies in front of the app (nginx: 1). Their X-Forwarded-For/-Proto
    # headers then give the client address (login throttling) and https (HSTS, secure cookies).
    TRUSTED_PROXIES = 0

    # Sessions and cookies
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)  # from the login, not renewed by use
    # The cookie is written when the session changes, not signed again on every page: the
    # server-side session (grants/services/accounts.py) ends 10 hours after the login anyway.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # forced on in production
    SESSION_COOKIE_NAME = "grants_session"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)  # no "remember me": sessions live server-side

    # Forms and uploads
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # 10 MB per request
    MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MB per document (a phone photo, a scanned PDF)

    # Login throttling (Flask-Limiter). Counts live in this process unless several servers share
    # them: RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0" (docs/SCALE_OUT.md). If Redis
    # cannot be reached, each process counts on its own meanwhile instead of failing the login.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "grants"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT_PER_IP = "20 per 5 minutes"
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per 5 minutes"

    # Background jobs (huey). Unset: a SQLite queue in instance/ and the consumer that `make demo`
    # starts, for one machine. Set to redis://host:6379/0 when workers run on one or several
    # machines (any app server enqueues, any worker takes the job). JOBS_IMMEDIATE runs jobs
    # inside the request instead (None: only under TESTING).
    JOBS_REDIS_URL: str | None = None
    JOBS_IMMEDIATE: bool | None = None
    JOBS_WORKERS = 2  # threads of `flask jobs-worker`

    # Messages to returnees (README "Notifications"). SMS_GATEWAY names a plug-in of
    # grants/services/notifications/gateways.py ("dev" stores them: the "SMS sent" page shows
    # them; "failing" refuses every message, for tests) or "package.module:Class".
    SMS_GATEWAY = "dev"
    SMS_PRICE_PER_SEGMENT = 25  # F CFA, for the monthly estimate
    SMS_TO_GSM7 = True  # replace "ê", "’"… so that a French message stays one segment
    SMS_MAX_ATTEMPTS = 5  # then the message is failed
    MESSAGE_LANGUAGES = ("fr", "en", "bm")  # the languages templates may be written in
    # The Orange SMS API (SMS_GATEWAY = "orange", grants/services/notifications/orange.py). The
    # client id and secret come from the operator's developer portal and are set in the
    # environment only (GRANTS_ORANGE_SMS_CLIENT_ID, GRANTS_ORANGE_SMS_CLIENT_SECRET); the sender
    # is the programme's number or short code as the operator registered it ("tel:+2230000").
    ORANGE_SMS_BASE_URL = "https://api.orange.com"
    ORANGE_SMS_CLIENT_ID: str | None = None
    ORANGE_SMS_CLIENT_SECRET: str | None = None
    ORANGE_SMS_SENDER: str | None = None
    ORANGE_SMS_SENDER_NAME: str | None = None  # the name phones show, if the operator allows one
    # Each call to the operator waits at most this long (the sending job holds the message's
    # row meanwhile); a timeout is tried again later like an unreachable operator.
    ORANGE_SMS_TIMEOUT_SECONDS = 10
    # Delivery receipts: the operator posts them to PUBLIC_URL/messages/accuses-reception/
    # <SMS_RECEIPT_SECRET>. PUBLIC_URL is this server's address from outside: the operator's
    # receipts (None: none asked) and the links of e-mailed reminders. The secret (environment
    # only: GRANTS_SMS_RECEIPT_SECRET, e.g. `python -c "import secrets;
    # print(secrets.token_urlsafe(32))"`) authenticates the receipts.
    PUBLIC_URL: str | None = None
    SMS_RECEIPT_SECRET: str | None = None

    # Staff reminders (README "Staff reminders"): the menu's count is kept this long per user
    # in each process (it costs a few SQL counts); a referral with no news for
    # REFERRAL_FOLLOW_UP_DAYS is a reminder; the daily digest goes out from REMINDER_DIGEST_HOUR
    # (Bamako time = UTC), or the first hour after the staff member's quiet hours.
    REMINDER_BADGE_CACHE_SECONDS = 120
    REFERRAL_FOLLOW_UP_DAYS = 30
    REMINDER_DIGEST_HOUR = 7
    # E-mail (the digest): an SMTP server of the office or the host; None: no e-mail is sent.
    # The login comes from the environment (GRANTS_MAIL_USERNAME, GRANTS_MAIL_PASSWORD).
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS (port 587 usually)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "subventions@localhost"
    MAIL_TIMEOUT_SECONDS = 10
    JOBS_SQLITE_QUEUE: str | None = None  # the SQLite queue's file; None: instance/jobs-queue.sqlite3
    JOBS_QUEUE_NAME = "grants"  # the queue's keys in Redis; scripts/scale_out.py uses its own
    # /health fails when a job has waited this long: no worker is taking jobs.
    JOBS_STALE_MINUTES = 15
    # A running job's worker writes a heartbeat every JOBS_HEARTBEAT_SECONDS; a job without one
    # for JOBS_LEASE_MINUTES lost its worker (killed, machine down): it is queued again, and
    # failed with a reason after JOBS_MAX_ATTEMPTS claims. Job files are deleted after
    # JOBS_KEEP_DAYS (the user asks again; the minutes and reports are kept elsewhere).
    JOBS_HEARTBEAT_SECONDS = 30
    JOBS_LEASE_MINUTES = 10
    JOBS_MAX_ATTEMPTS = 3
    JOBS_KEEP_DAYS = 7

    # Operations (grants/operations/). BACKUP_KEY: a key from `flask --app wsgi backup-key`
    # encrypts every backup file (keep it apart from the backups: without it they cannot be
    # restored). REQUEST_LOG: one JSON line per request on standard error.
    BACKUP_KEY: str | None = None
    REQUEST_LOG = True

    # Retention of personal data, in months (grants/services/privacy/retention.py): applied each
    # night at RETENTION_HOUR (Bamako time = UTC) by the job worker, and by
    # `flask --app wsgi apply-retention [--dry-run]`. A kind set to None is kept.
    RETENTION_MONTHS: dict[str, int | None] = {
        "confidential_notes": 60,  # health notes, counted from their last change
        "visit_photos": 60,  # photos taken at visits, from their upload
        "id_scans": 24,  # identity documents of dossiers that are over, from their upload
        "rejected_documents": 12,  # documents of dossiers not funded, from the dossier's last change
        # the audit log's details (identifiers, codes, reasons); who did what and when stays:
        # 10 years, as the accounting records it justifies
        "audit_details": 120,
    }
    RETENTION_HOUR = 2
    # An upload never imported keeps the whole file (everyone's data, consent or not) under
    # instance/imports/: the file and the batch's checked rows go after this many days.
    IMPORT_ABANDONED_DAYS = 30

    # A past dossier (imported from an earlier programme) funded within this many months, from
    # its funding date or else 1 July of its year, counts as an active grant in the
    # one-grant-per-person rule: the follow-up year of a grant.
    PAST_GRANT_ACTIVE_MONTHS = 12
    # A preview of a file longer than this runs as a background job (with progress); shorter
    # files are checked in the request.
    IMPORT_PREVIEW_INLINE_ROWS = 2000

    # Password hashing (argon2id; RFC 9106 second recommended profile)
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 2
    PASSWORD_MIN_LENGTH = 10

    # Interface
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Africa/Bamako"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = {"fr": "Français", "en": "English"}
    PHONE_DEFAULT_REGION = "ML"
    BOOTSTRAP_SERVE_LOCAL = True
    # Hashed and precompressed copies of the static files (grants/assets.py); built at start
    # or by `make assets`, never committed.
    ASSETS_BUILD_DIR = str(Path(__file__).resolve().parent.parent / "build" / "assets")
    BOOTSTRAP_BOOTSWATCH_THEME = None
    PAGE_SIZE = 25

    # Money
    WALLET_CAP = 2_000_000  # BCEAO: the most a mobile-money wallet may receive (F CFA)
    # Visits (V1, V2… of the call's plan) that carry the sustainability questionnaire: V1 is the
    # baseline, V4 (M+12) the measure of sustainable reintegration.
    SURVEY_AT_VISITS = (1, 4)
    VISIT_DUE_SOON_DAYS = 14  # a planned visit shows as "due" this many days ahead
    # "Préparer hors ligne": the visits due within this many days (and the overdue ones) are
    # taken on the phone, at most this many (each is two pages of a few kB).
    OFFLINE_VISIT_DAYS = 7
    OFFLINE_MAX_VISITS = 60

    # Programme figures (grants/reporting/)
    # Lower bounds of the age bands: 18-24, 25-35, 36 and over (and "under 18" below).
    REPORT_AGE_BANDS = (18, 25, 36)
    REPORT_YOUTH_AGES = (15, 35)  # "youth" as the calls and the donors count it
    # Cells counting fewer people are shown as "< 5" in anything that leaves the office.
    REPORT_SMALL_CELL = 5
    # A tranche is paid late when its payment comes more than this many days after its payment
    # order (or is still awaited that long after it): the indicator report's "late".
    REPORT_LATE_DAYS = 15
    REPORT_CACHE_SECONDS = 300  # figures are read again at most every 5 minutes per process
    # The home dashboards' figures (charts drawn) kept per (figures shown, scope, language) in
    # each process; the to-dos are counted on every request.
    DASHBOARD_CACHE_SECONDS = 300
    # The public transparency page is rendered at most this often per process and language,
    # and browsers and proxies may keep it as long (Cache-Control: public).
    TRANSPARENCY_CACHE_SECONDS = 600
