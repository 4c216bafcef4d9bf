# burgerbegroting: the web app, served by gunicorn. See docs/operations.md ("Docker and compose").
#   docker build -t burgerbegroting .
#   docker compose up -d

# --- front-end assets: Node.js is needed only here ------------------------------------------
FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/assets.sh scripts/assets.sh
RUN bash scripts/assets.sh

# --- the app ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BURGERBEGROTING_CONFIG=production \
    GUNICORN_BIND=0.0.0.0:8000

# WeasyPrint (PDF letters and reports) needs Pango and HarfBuzz; DejaVu is the PDF font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
COPY --from=assets /build/static/vendor ./static/vendor
RUN pybabel compile -d burgerbegroting/translations \
 && mkdir -p instance \
 && chown -R app:app instance

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
