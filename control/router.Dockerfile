# Router image (docs/architecture.md "Local stack and deployment"): the router
# Worker under local workerd (Miniflare) in a Node image, run by the stack
# launcher in router-only mode — the compose stack's entry point on :8787.
# Production runs the Worker on Cloudflare (`npm run deploy`); this image is
# the local/containers twin. Build from the repository root:
#   docker build -f control/router.Dockerfile -t bluegreen-edge/router .
#   docker run --init -p 127.0.0.1:8787:8787 -e ADMIN_TOKEN=… -e ORIGIN_TOKEN=… \
#     -e BLUE_ORIGINS=http://blue:8000 -e GREEN_ORIGINS=http://green:8000 bluegreen-edge/router
# test/control/router-container.test.ts runs compose's command for this
# service and this file's HEALTHCHECK without an engine; npm run
# test:containers builds and runs the image itself (test/containers/).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The launcher runs three of the repository's dev dependencies — miniflare
# (workerd), wrangler (reads wrangler.toml; its esbuild bundles the Worker at
# start) and tsx (runs the TypeScript sources) — and none of the others
# (vitest, typescript, playwright-core, …). The image's own package.json makes
# those three dependencies and drops devDependencies, so `npm ci --omit=dev`
# installs exactly the lockfile's versions of what the router runs.
RUN node -e ' \
      const fs = require("fs"); \
      const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")); \
      for (const name of ["miniflare", "wrangler", "tsx"]) { \
        const spec = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name]; \
        if (!spec) throw new Error(name + " is in neither dependencies nor devDependencies of package.json"); \
        pkg.dependencies[name] = spec; \
      } \
      delete pkg.devDependencies; \
      fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");' \
 && npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Sources the launcher and the Worker import: one line per folder, so a new
# shared folder is one more COPY line here. contract/ holds the shapes the
# Worker and the launcher share with the model server and the CLI; the model
# server's own sources are not needed (the launcher runs --router-only).
# worker/dashboard/ is the dashboard's source: the launcher builds it at
# start (wrangler's esbuild, into a temporary directory) and serves it.
COPY tsconfig.json wrangler.toml ./
COPY worker/src worker/src
COPY worker/dashboard worker/dashboard
COPY contract contract
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
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.ROUTER_PORT || 8787) + '/admin/status', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.status === 401 ? 0 : 1), () => process.exit(1))"]
# ADMIN_TOKEN, ORIGIN_TOKEN, BLUE_ORIGINS and GREEN_ORIGINS come from the environment.
# Exec form: node gets SIGTERM itself (compose adds `init: true` so a tiny init reaps workerd's zombies).
CMD ["node", "--import", "tsx", "control/src/stack/main.ts", "--router-only"]
