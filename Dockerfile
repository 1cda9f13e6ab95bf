# syntax=docker/dockerfile:1
# The worker image for `lk agent deploy` (LiveKit Cloud) or any container host.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A non-root user owns the app's writable places: its home (model caches) and data/.
ARG UID=10001
RUN adduser --disabled-password --gecos "" --uid "${UID}" --home /home/appuser appuser

WORKDIR /app

# Dependencies first (from pyproject.toml's pinned versions), so code edits reuse the layer.
COPY pyproject.toml README.md ./
RUN mkdir -p agents tasks call config consent offline pipeline store delivery telephony forms ops logsafe \
    && touch agent.py \
    && pip install . \
    && pip uninstall -y consent-phone-agent

COPY . .
RUN pip install --no-deps . \
    && mkdir -p /app/data \
    && chown -R appuser:appuser /app/data

USER appuser

# Model files (VAD, turn detector) fetched now, into the runtime user's own cache.
RUN python agent.py download-files

ENV DATABASE_URL=sqlite:////app/data/calls.db
CMD ["python", "agent.py", "start"]
