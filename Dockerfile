# chime-local as a service: the Chime API on port 8000, the state in the volume /data.
# Configured entirely by CHIME_LOCAL_* variables (README, "Running it as a service"); a
# test runs this file's install and start lines in a fresh virtual environment.

FROM python:3.12-slim AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
# with the postgres extra: CHIME_LOCAL_DB may be a postgresql:// URL (README, "Several servers")
RUN for wheel in /wheels/*.whl; do python -m pip install --no-cache-dir "$wheel[postgres]"; done \
    && rm -rf /wheels
RUN useradd --system --uid 10001 --home-dir /data chime && mkdir -p /data && chown chime /data
USER chime
WORKDIR /data
# Listening on every interface of the container requires an admin token: give
# CHIME_LOCAL_ADMIN_TOKEN when you run it (the server refuses to start without one).
ENV CHIME_LOCAL_HOST=0.0.0.0 CHIME_LOCAL_PORT=8000 CHIME_LOCAL_DB=/data/chime-local.db
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_chime_local/health' % os.environ['CHIME_LOCAL_PORT'], timeout=2)"]
CMD ["chime-local", "serve"]
