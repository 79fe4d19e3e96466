# oews-bot: Slack + Teams endpoints (oews-bot serve). Configuration by environment variables (README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OEWS_HOME=/data \
    MPLCONFIGDIR=/tmp/matplotlib \
    PORT=3000

# unixODBC and psqlODBC: OEWS data on PostgreSQL (OEWS_DATABASE_URL); add msodbcsql18 for SQL Server.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends unixodbc odbc-postgresql \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY agents ./agents
COPY bot ./bot
COPY adapters ./adapters
RUN pip install . \
    && useradd --create-home --uid 10001 oews \
    && mkdir -p /data \
    && chown oews:oews /data

USER 10001
# Build the OEWS database into the image's data directory at first start (about 20 s), or mount /data.
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]
CMD ["oews-bot", "serve"]
