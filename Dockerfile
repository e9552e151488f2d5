FROM python:3.11-slim

# PTB_TIMEDELTA: python-telegram-bot 22 gives durations as timedelta (no deprecation noise).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PTB_TIMEDELTA=1 \
    DATABASE_URL=sqlite:////data/prepbot.db CONTENT_DIR=/app/content
WORKDIR /app

# Dependencies first, from pyproject.toml alone: this layer is rebuilt only when the
# dependencies change, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > requirements.txt \
    && pip install --no-cache-dir -r requirements.txt \
    && rm requirements.txt

# Then the code (and only the code: see .dockerignore), without touching the dependencies.
COPY README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --no-deps .
COPY content ./content

RUN useradd --create-home prepbot && mkdir -p /data && chown prepbot /data
USER prepbot
VOLUME ["/data"]

# Healthy once the bot has migrated its database and holds it open (bot/healthcheck.py),
# and while it is posting: fresh live figures, no pending post stuck (`prepbot status`).
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["sh", "-c", "python -m bot.healthcheck && prepbot status > /dev/null"]

# A command, not an entrypoint: `docker compose run --rm bot prepbot practice` works as written.
CMD ["prepbot", "run"]
