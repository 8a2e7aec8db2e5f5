# One image for the three services; docker-compose picks the service with `command`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY scripts ./scripts
COPY data ./data
RUN pip install . && useradd --system --uid 10001 akhbar
USER akhbar

# SIGTERM lets uvicorn run the lifespan shutdown: broker drain, relay flush.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "services.articles"]
