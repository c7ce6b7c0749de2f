"""Test settings: fast hashing, no network, plain static storage (live_server)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import dj_database_url

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Connections are not reused across tests.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # noqa: F405
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "")
# Serve static files from the app folders (no collectstatic needed), even with DEBUG off.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Database roles (clinic.db_roles): with DATABASE_OWNER_URL set (.ci/postgres.sh sets it),
# the suite connects as the OWNER, which creates the test database, migrates it (and then
# grants the runtime role) and empties it between transactional tests: the access log's
# trigger lets only the table owner TRUNCATE (clinic migration 0005). The runtime role's
# URL stays in DATABASE_RUNTIME_URL for the tests that prove its limits
# (tests/clinic/test_database_roles.py).
if DATABASE_OWNER_URL and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _owner = dj_database_url.parse(DATABASE_OWNER_URL)  # noqa: F405 (the setting)
    for _key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        DATABASES["default"][_key] = _owner.get(_key)  # noqa: F405
# Background work (issue 12.2): the real database backend (base.py's TASKS); tests run
# `manage.py worker --batch` to run what they queued. Retries without waiting; prepared
# files in a throwaway folder.
TASKS_RETRY_BACKOFF_SECONDS = 0
PRIVATE_FILES_ROOT = Path(tempfile.mkdtemp(prefix="clinic-private-"))
atexit.register(shutil.rmtree, PRIVATE_FILES_ROOT, ignore_errors=True)  # one per process
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
}
