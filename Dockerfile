# syntax=docker/dockerfile:1
# One image, three commands (see docker-compose.yml and README "Deploy"):
#   app      node --heap-growing-percent=30 --max-semi-space-size=32 server.js   (the default CMD: Next standalone server)
#   worker   node --import tsx scripts/worker.ts                     (= npm run worker)
#   migrate  node --import tsx scripts/db.ts migrate                 (= npm run db:migrate; also status, rollback)
# scripts/image-commands.test.ts runs exactly these commands outside Docker, in production mode.
# Node 24 (LTS; Node 20 reached end of life in April 2026): the API's read routes serve ~20 % more
# requests per second on it than on Node 20 in the same build (BENCHMARKS.md, issue 22, "Node 24").
# `engines` still allows >= 20.19 for `npm start` on a developer's machine.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /app

# Every dependency, build tooling included. The postinstall script generates the Prisma client
# into lib/db/generated (git-ignored, so it is made here, never copied from the context).
FROM base AS deps
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund

# The Next build, traced into .next/standalone (server.js + the node_modules files it reaches).
FROM deps AS build
COPY . .
RUN NEXT_OUTPUT=standalone npm run build

# Production dependencies only: the worker and the migrations run the TypeScript sources through
# tsx (a production dependency) and need the whole of viem, pg, Prisma's runtime, etc. Install
# scripts are skipped (the embedded PostgreSQL and Anvil are not used with DATABASE_URL and real
# chains) except argon2's, built from source: its published linux-x64 prebuild crashed with a
# segmentation fault on our Debian/Node 20 machines (found by scripts/image-commands.test.ts).
FROM base AS prod-deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild argon2 --build-from-source \
 && npm cache clean --force

FROM base AS runtime
ENV NODE_ENV=production \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    CTRIP_DATA_DIR=/tmp/ctrip \
    NPM_CONFIG_CACHE=/tmp/.npm
# (npm keeps its logs in its cache: /tmp, so `npm run admin -- …` works for the service user.)
RUN groupadd --system --gid 10001 ctrip \
 && useradd --system --uid 10001 --gid ctrip --home-dir /nonexistent --shell /usr/sbin/nologin ctrip
# Everything stays owned by root and read-only for the service user.
COPY --from=prod-deps /app/node_modules ./node_modules
# The standalone server (server.js, .next/server, its traced node_modules) lands on top of the full
# production node_modules: the same versions, merged, so each traced package is whole again (argon2
# keeps the build/Release binary the trace leaves out) and the web server and the worker load the
# same code.
COPY --from=build /app/.next/standalone ./
COPY --from=build /app/.next/static ./.next/static
# What the worker and the migrations load at runtime (tsx compiles it on the fly).
COPY --from=build /app/package.json /app/tsconfig.json /app/chains.yaml /app/rates.yaml ./
COPY --from=build /app/lib ./lib
COPY --from=build /app/inngest ./inngest
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/contracts ./contracts
# Next's own cache (ISR/fetch) is the only place the server writes under /app.
RUN mkdir -p .next/cache && chown ctrip:ctrip .next/cache
USER ctrip
EXPOSE 3000
# The worker and the migrate one-shot override this (docker-compose.yml): they serve no HTTP.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--heap-growing-percent=30", "--max-semi-space-size=32", "server.js"]
