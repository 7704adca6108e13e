# syntax=docker/dockerfile:1
# One image for every PredictHealth process: `predicthealth router`, `predicthealth subgraph NAME`,
# `predicthealth migrate`. Multi-stage: uv resolves from the lock file in the build stage; the
# runtime stage has only the virtual environment and the code, and runs as a non-root user.

FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never PIP_NO_CACHE_DIR=1
RUN pip install uv
WORKDIR /app
# Dependencies first: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY router ./router
COPY subgraphs ./subgraphs
COPY schema ./schema
RUN uv sync --frozen --no-dev

FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home predicthealth
WORKDIR /app
COPY --from=build --chown=predicthealth:predicthealth /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    SERVICE_HOST=0.0.0.0 \
    DATA_DIR=/tmp/predicthealth
USER predicthealth
EXPOSE 4000 8000 8002 8003 8004 8006
# Health checks in compose.yaml call /health with this interpreter (no curl in the image).
ENTRYPOINT ["predicthealth"]
CMD ["--help"]
