# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# WeasyPrint renders PDFs with Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 koers
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY --chown=koers:koers . .
# collectstatic needs settings, not secrets: a throwaway key for this build step only.
# Translations (.mo) are committed, so no compilemessages here.
RUN SECRET_KEY=collectstatic-only DEBUG=false STATIC_ROOT=/app/staticfiles \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R koers:koers /app/var /app/staticfiles

USER koers
ENV STATIC_ROOT=/app/staticfiles
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
