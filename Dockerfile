# The app under gunicorn. Korean fonts and HarfBuzz subsetting are for the PDF reports.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Production storage (DEBUG off) writes the manifest WhiteNoise serves hashed names from.
RUN DEBUG=false SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/unused.sqlite3 TRUSTED_PROXY_COUNT=0 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 app \
 && install -d -m 0700 -o app /app/var/cache
# /app/var/cache: the file cache when no CACHE_URL is set, the app user's alone (reviewapp/checks.py).
USER app

EXPOSE 8000
# Sync workers, about 3 on 2 cores (gthread had a worse tail latency on the same machine).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
