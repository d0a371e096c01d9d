# Copy to instance/config.py and adapt. Environment variables override these values.

# SECRET_KEY = "a long random string: python3 -c 'import secrets; print(secrets.token_hex(32))'"
# DATABASE_URL = "postgresql+psycopg://grants:password@127.0.0.1:5432/grants"
# GRANTS_ENV = "production"
# TRUSTED_PROXIES = 1
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379"
# LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per 5 minutes"
# MAX_CONTENT_LENGTH = 10 * 1024 * 1024
