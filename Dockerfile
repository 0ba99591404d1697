# The three images of the stack, one target each (docker-compose.yml builds each `target:`):
#   api       compiled JavaScript, production dependencies only, no compiler
#   web       Next.js standalone output (the traced server and the few node_modules it needs)
#   migrator  a one-shot program that applies the committed migrations and exits
# Build context: the repository root (root lockfile, shared schema), e.g. `docker build --target api .`.
# Node 24 LTS everywhere. A repository package (packages/*) is wired into the shared stages once;
# a service that ships it at run time also lists it in its own deps and runtime stages.
#
# No `# syntax=` line and nothing newer than Engine 20.10's builders: the images build offline
# from the base images and the npm registry alone. The legacy builder builds every stage above
# the target, so the migrator (the smallest) comes first and the web (next build) last.

# --- manifests: the root manifests and every workspace's package.json, what npm ci reads.
FROM node:24-slim AS manifests
WORKDIR /app
# No usage checkpoint from Prisma's CLI in any build stage.
ENV CHECKPOINT_DISABLE=1
# npm ci checks the lockfile against every workspace's package.json, so all of them come in.
COPY package.json package-lock.json ./
COPY packages/api-types/package.json packages/api-types/
COPY packages/postgres/package.json packages/postgres/
COPY packages/service-kit/package.json packages/service-kit/
COPY migrator/package.json migrator/
COPY api/package.json api/
COPY web/package.json web/

# --- install: the three services' dependencies, shared by their builds.
FROM manifests AS install
# Install scripts stay off, as in the repository (allowScripts): none is needed to build.
# Optional dependencies stay: Next's compiler is a platform-specific optional package.
RUN npm ci --ignore-scripts --no-audit --no-fund -w migrator -w api -w web --include-workspace-root

# --- workspace: the repository's packages compiled.
FROM install AS workspace
COPY tsconfig.base.json ./
COPY packages/ packages/
# Every workspace under packages/, in the root `workspaces` order (a package before those using it).
RUN npm run build -w packages --if-present

# --- migrator-engine: Prisma's schema engine where the network allows (the native path,
# `prisma migrate deploy`), fetched again only when a manifest or the lockfile changes, not on
# every source change.
FROM install AS migrator-engine
# Prisma picks the engine build by the OpenSSL it finds: without openssl it would fetch the
# OpenSSL 1.1 build, which cannot run on this Debian.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
# Prisma downloads the engine from its own host (install scripts are off). Where that host is
# blocked this leaves /engines empty and the migrator takes its built-in Prisma-compatible
# runner; it prints which path it took.
RUN mkdir /engines \
  && (node node_modules/@prisma/engines/scripts/postinstall.js >/dev/null 2>&1 || true) \
  && cp node_modules/@prisma/engines/schema-engine-* /engines/ 2>/dev/null \
  || echo "migrator image: Prisma's schema engine could not be downloaded; the built-in runner will apply migrations"

FROM workspace AS migrator-build
COPY migrator/ migrator/
RUN npm run build -w migrator

# --- migrator-deps: the migrator's production dependencies alone (prisma CLI included: the native path).
# npm flags a package dev or optional over the whole workspace tree: narrowed to the one service,
# it flags them for that service alone, and npm ci still installs exactly the lockfile's versions.
FROM manifests AS migrator-deps
RUN npm pkg set workspaces='["packages/postgres","packages/service-kit","migrator"]' --json \
  && npm ci --ignore-scripts --no-audit --no-fund --omit=dev --omit=optional

FROM node:24-slim AS migrator
# openssl for Prisma's engine; ca-certificates so a Neon certificate verifies against the system store.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
WORKDIR /app
COPY --from=migrator-deps /app/node_modules node_modules
COPY --from=migrator-engine /engines/ node_modules/@prisma/engines/
# node_modules/@authbridge/<package> is a link to the workspace package: its manifest and build output.
COPY packages/postgres/package.json packages/postgres/
COPY packages/service-kit/package.json packages/service-kit/
COPY --from=migrator-build /app/packages/postgres/dist packages/postgres/dist
COPY --from=migrator-build /app/packages/service-kit/dist packages/service-kit/dist
COPY migrator/package.json migrator/prisma.config.ts migrator/
COPY migrator/prisma/ migrator/prisma/
COPY --from=migrator-build /app/migrator/dist migrator/dist
WORKDIR /app/migrator
# The image's unprivileged user; the code stays root-owned, so the process cannot rewrite it.
USER node
ENTRYPOINT ["node", "dist/main.js"]

# --- api-build: api/dist. The api uses no Prisma: no schema, no generated client.
FROM workspace AS api-build
COPY api/ api/
RUN npm run build -w api

# --- api-deps: the api's production dependencies alone (33 MB, no Prisma). Without the narrowing,
# the migrator's and the web's Prisma packages (production dependencies there) would ship here too.
FROM manifests AS api-deps
RUN npm pkg set workspaces='["packages/api-types","packages/postgres","packages/service-kit","api"]' --json \
  && npm ci --ignore-scripts --no-audit --no-fund --omit=dev --omit=optional

FROM node:24-slim AS api
# The heap: V8 lets the old generation grow to a multiple of what is live before it collects, 4x
# by default on a host without a memory limit (about 100 MB of garbage per worker under load).
# A 1 GB cap, never reached (the api keeps 20 to 30 MB live), makes that multiple about 1.6:
# peak RSS per worker 165 -> 120 MB, for more frequent, small full collections (docs/BENCHMARKS.md
# "Memory"). make bench runs the api with exactly this line.
ENV NODE_ENV=production NODE_OPTIONS=--max-old-space-size=1024
WORKDIR /app
COPY --from=api-deps /app/node_modules node_modules
COPY packages/api-types/package.json packages/api-types/
COPY packages/postgres/package.json packages/postgres/
COPY packages/service-kit/package.json packages/service-kit/
COPY --from=api-build /app/packages/api-types/dist packages/api-types/dist
COPY --from=api-build /app/packages/postgres/dist packages/postgres/dist
COPY --from=api-build /app/packages/service-kit/dist packages/service-kit/dist
COPY api/package.json api/
COPY --from=api-build /app/api/dist api/dist
WORKDIR /app/api
USER node
EXPOSE 8000
# Health: GET /healthz (docker-compose.yml runs the check; slim images have no curl).
CMD ["node", "dist/server.js"]

# --- web-build: the web's Prisma client generated from the shared schema (into web/src/generated),
# then next build with output "standalone" traced from the repo root into
# .next/standalone/web; the build script copies .next/static beside it and compiles the process
# entry (web/src/server.ts) there as server.js. Next traces what the entry loads (envalid and the
# workspace packages, next.config.ts) into the standalone node_modules.
FROM workspace AS web-build
ENV NEXT_TELEMETRY_DISABLED=1
COPY scripts/prisma-generate.sh scripts/
COPY migrator/prisma.config.ts migrator/
COPY migrator/prisma/schema.prisma migrator/prisma/
COPY web/ web/
RUN npm run generate -w web && npm run build -w web

# --- web: no npm, no compiler, no node_modules of its own beyond what Next traced.
FROM node:24-slim AS web
# HOSTNAME: the standalone server binds to it, and a container sets it to the container's name.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOSTNAME=0.0.0.0
WORKDIR /app
COPY --from=web-build /app/web/.next/standalone ./
# Next writes its cache at run time; the code itself stays root-owned.
RUN mkdir -p web/.next/cache && chown node:node web/.next/cache
WORKDIR /app/web
USER node
EXPOSE 3000
# The server listens on PORT; the stack's contract variable is WEB_PORT (.env). server.js refuses a
# bad environment before it listens.
CMD ["/bin/sh", "-c", "PORT=\"${WEB_PORT:-3000}\" exec node server.js"]
