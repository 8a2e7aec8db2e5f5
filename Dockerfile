# One Dockerfile for the three services, the `akhbar` ops command and the demo loader;
# docker-compose picks the process with `command`. Runtime dependencies only: the embedded
# MongoDB-wire server and Redis (extra "embedded") and the test tools are not installed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 LOG_FORMAT=json
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY scripts ./scripts
COPY akhbar_cli ./akhbar_cli
COPY data ./data
RUN pip install . \
    && groupadd --system --gid 10001 akhbar \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin akhbar
# Not root: the code is read-only to the service user; state lives in MongoDB and Redis.
USER 10001:10001

# SIGTERM lets uvicorn run the lifespan shutdown: broker drain, relay flush.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "services.articles"]
