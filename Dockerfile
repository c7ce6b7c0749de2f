# syntax=docker/dockerfile:1
# The clinic app's production image (issue 12; docs/operations.md "Deploying with compose").
#   docker build -t clinic .        (compose.yaml builds it for the app, worker and migrate)
# Three stages: the npm front-end build, the Python dependencies, then a slim runtime
# with neither compilers nor node, running as an unprivileged user. No secret is ever
# part of a layer: collectstatic runs with throwaway values that exist only in that RUN
# step's environment; the real configuration comes from .env at run time.

ARG PYTHON_VERSION=3.12
ARG NODE_VERSION=22

# 1. Front-end assets: bootstrap, icons, htmx, chart.js copied into clinic/static/vendor.
FROM node:${NODE_VERSION}-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY clinic/static_build.mjs clinic/static_build.mjs
RUN npm run --silent build

# 2. Python dependencies into a virtualenv (wheels only: psycopg[binary] ships libpq).
FROM python:${PYTHON_VERSION}-slim-bookworm AS python-deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --only-binary=:all: -r /tmp/requirements.txt

# 3. Runtime.
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=clinic.settings.production
RUN groupadd --system --gid 10001 clinic \
    && useradd --system --uid 10001 --gid clinic --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin clinic
COPY --from=python-deps /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the app's user.
COPY . .
COPY --from=assets /src/clinic/static/vendor clinic/static/vendor
# Static files (hashed names, compressed) built into the image. Placeholder values, not
# secrets: production settings refuse to load without them, and nothing is connected.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-0000000000000000000000000000 \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build:build@build.invalid:5432/build \
    python manage.py collectstatic --no-input -v 0 \
    && python -m compileall -q clinic patients treatments
USER 10001:10001
EXPOSE 8000
# /healthz/live: the process answers (spoken to as the proxy does: https, a known host).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "deploy/healthcheck.py"]
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
