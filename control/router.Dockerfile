# Router image (DESIGN.md §8): the router Worker under local workerd
# (Miniflare) in a Node image, run by the stack launcher in router-only mode —
# the compose stack's entry point on :8787. Production runs the Worker on
# Cloudflare (`npm run deploy`); this image is the local/containers twin.
# Build from the repository root:
#   docker build -f control/router.Dockerfile -t bluegreen-edge/router .
#   docker run -p 8787:8787 -e ADMIN_TOKEN=… -e ORIGIN_TOKEN=… \
#     -e BLUE_ORIGINS=http://blue:8000 -e GREEN_ORIGINS=http://green:8000 bluegreen-edge/router
# test/control/router-container.test.ts runs compose's command for this
# service and this file's HEALTHCHECK, since no Docker engine runs in CI.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies on purpose: miniflare (with workerd), wrangler (its esbuild
# bundles the Worker; it reads wrangler.toml) and tsx run the launcher.
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json wrangler.toml ./
COPY worker/src worker/src
COPY model-server/src model-server/src
COPY control/src control/src
# KV and the Durable Object live here; compose mounts a volume so the routing
# state and history survive `docker compose down && up`.
RUN mkdir -p /app/.bluegreen && chown node:node /app/.bluegreen
USER node
ENV ROUTER_HOST=0.0.0.0 \
    ROUTER_PORT=8787 \
    BLUEGREEN_STATE_DIR=/app/.bluegreen
EXPOSE 8787
STOPSIGNAL SIGTERM
# The admin API answers 401 without a token: the router itself is up, and the probe needs no secret.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ROUTER_PORT || 8787) + '/admin/status', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.status === 401 ? 0 : 1), () => process.exit(1))"]
# ADMIN_TOKEN, ORIGIN_TOKEN, BLUE_ORIGINS and GREEN_ORIGINS come from the environment.
CMD ["node", "--import", "tsx", "control/src/stack/main.ts", "--router-only"]
