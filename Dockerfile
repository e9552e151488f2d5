FROM python:3.11-slim

# PTB_TIMEDELTA: python-telegram-bot 22 gives durations as timedelta (no deprecation noise).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PTB_TIMEDELTA=1 \
    DATABASE_URL=sqlite:////data/prepbot.db CONTENT_DIR=/app/content
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir .
COPY content ./content
RUN useradd --create-home prepbot && mkdir -p /data && chown prepbot /data
USER prepbot
VOLUME ["/data"]
ENTRYPOINT ["prepbot"]
CMD ["run"]
