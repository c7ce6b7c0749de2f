"""Production: refuses to start without its secrets, TLS-only cookies and headers."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


SECRET_KEY = required("DJANGO_SECRET_KEY")
# Rotating the key (docs/operations.md "Rotating secrets"): the previous key(s) here, comma
# separated, keep sessions and password-reset links signed with them valid until removed.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")  # noqa: F405
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters.")
if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL must be set to a PostgreSQL URL in production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")  # noqa: F405
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")

DEBUG = False
# Plain HTTP is redirected to https:// (TLS ends at the proxy, Caddy). Only `make serve`
# on a laptop, with no TLS in front, turns it off (DJANGO_SECURE_SSL_REDIRECT=false).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")  # noqa: F405
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        # Messages to patients (clinic/diary/messaging): the clinic's SMTP relay or provider.
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "587")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),  # noqa: F405
            "timeout": 20,
        },
    }
}
# SMS (clinic/diary/messaging/channels.py): off unless a real provider is named; the
# recording fake would mark messages sent that never left.
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "").strip().lower()
if SMS_PROVIDER == "recording":
    raise ImproperlyConfigured("SMS_PROVIDER=recording sends nothing: not in production.")
if os.environ.get("CLINIC_DOMAIN") and not os.environ.get("CLINIC_BASE_URL"):
    CLINIC_BASE_URL = f"https://{os.environ['CLINIC_DOMAIN']}"
# Practitioners and managers must sign in with a second factor (TOTP), unless explicitly
# turned off (not recommended: issue 6).
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)  # noqa: F405
# No demo logins (published password) on a production database (base.py).
DEMO_SEED_ALLOWED = env_bool("DEMO_SEED_ALLOWED", False)  # noqa: F405
