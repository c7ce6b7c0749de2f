"""Container health check (Dockerfile HEALTHCHECK, compose.yaml): exit 0 when the app
answers /healthz/live, as Caddy would ask (X-Forwarded-Proto: https, an allowed host).
Standard library only; the URL and path can be changed from the environment."""

import os
import sys
import urllib.error
import urllib.request

PATH = os.environ.get("HEALTHCHECK_PATH", "/healthz/live")
PORT = os.environ.get("HEALTHCHECK_PORT", "8000")
HOST = (os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip()) or "localhost"
HOST = HOST.lstrip(".")  # ".example.org" allows subdomains; the bare domain is allowed too

request = urllib.request.Request(
    f"http://127.0.0.1:{PORT}{PATH}",
    headers={"Host": HOST, "X-Forwarded-Proto": "https", "User-Agent": "healthcheck"},
)
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - loopback
        sys.exit(0 if response.status == 200 else 1)
except (urllib.error.URLError, OSError) as exc:
    print(f"unhealthy: {exc}", file=sys.stderr)
    sys.exit(1)
