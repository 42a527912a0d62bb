# syntax=docker/dockerfile:1
#
# One image for every Lagebild service; the command chooses what runs:
#   node services/ingestion/dist/main.js    (likewise indicators, goals, budget, warehouse)
#   node services/cli/dist/main.js start    (everything in one process, embedded; the default)
#   node services/cli/dist/main.js replay   (and every other `lagebild` command)
#
# Stages: deps (npm ci with every workspace's package.json), build (npm run build: turbo over the
# workspaces), prod-deps (npm ci --omit=dev), runtime (production dependencies, the built dist/
# folders and the data files the services read at run time; non-root).
#
# Native modules: lmdb and chdb ship prebuilt binaries for glibc, so the base is Debian (not
# Alpine) and no compiler is needed. chDB (the embedded ClickHouse, about 540 MB) is only loaded by
# the warehouse service and the CLI when CLICKHOUSE_URL is not set; an image for a deployment with
# a ClickHouse server can leave it out: docker build --build-arg WITH_CHDB=false .

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# Every workspace's package.json before `npm ci`: the lockfile names them all.
COPY package.json package-lock.json .npmrc ./
COPY contracts/package.json contracts/
COPY services/platform/package.json services/platform/
COPY services/ingestion/package.json services/ingestion/
COPY services/indicators/package.json services/indicators/
COPY services/goals/package.json services/goals/
COPY services/budget/package.json services/budget/
COPY services/warehouse/package.json services/warehouse/
COPY services/cli/package.json services/cli/
COPY dashboards/package.json dashboards/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund

FROM deps AS build
ENV TURBO_TELEMETRY_DISABLED=1
COPY tsconfig.base.json tsconfig.json turbo.json ./
COPY contracts contracts
COPY services services
COPY dashboards dashboards
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
ARG WITH_CHDB=true
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY contracts/package.json contracts/
COPY services/platform/package.json services/platform/
COPY services/ingestion/package.json services/ingestion/
COPY services/indicators/package.json services/indicators/
COPY services/goals/package.json services/goals/
COPY services/budget/package.json services/budget/
COPY services/warehouse/package.json services/warehouse/
COPY services/cli/package.json services/cli/
COPY dashboards/package.json dashboards/
COPY test/package.json test/
RUN npm ci --omit=dev --no-audit --no-fund \
  && if [ "$WITH_CHDB" = "false" ]; then rm -rf node_modules/@chdb; fi

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    LAGEBILD_HOST=0.0.0.0 \
    LAGEBILD_PORT=8080 \
    LAGEBILD_DATA_DIR=/var/lib/lagebild
WORKDIR /app
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/contracts/package.json contracts/
COPY --from=build /app/contracts/dist contracts/dist
COPY --from=build /app/contracts/schemas contracts/schemas
COPY --from=build /app/services/platform/package.json services/platform/
COPY --from=build /app/services/platform/dist services/platform/dist
COPY --from=build /app/services/ingestion/package.json services/ingestion/
COPY --from=build /app/services/ingestion/dist services/ingestion/dist
COPY --from=build /app/services/ingestion/profiles services/ingestion/profiles
COPY --from=build /app/services/indicators/package.json services/indicators/
COPY --from=build /app/services/indicators/dist services/indicators/dist
COPY --from=build /app/services/indicators/catalogue services/indicators/catalogue
COPY --from=build /app/services/goals/package.json services/goals/
COPY --from=build /app/services/goals/dist services/goals/dist
COPY --from=build /app/services/goals/scenarios services/goals/scenarios
COPY --from=build /app/services/budget/package.json services/budget/
COPY --from=build /app/services/budget/dist services/budget/dist
COPY --from=build /app/services/budget/profiles services/budget/profiles
COPY --from=build /app/services/warehouse/package.json services/warehouse/
COPY --from=build /app/services/warehouse/dist services/warehouse/dist
COPY --from=build /app/services/cli/package.json services/cli/
COPY --from=build /app/services/cli/dist services/cli/dist
COPY --from=build /app/services/cli/demo services/cli/demo
COPY --from=build /app/dashboards/package.json dashboards/
COPY --from=build /app/dashboards/dist dashboards/dist
COPY --from=build /app/test/package.json test/
# The data directory and its auth/ folder (docker compose mounts a shared key volume there)
# belong to the service user, so volumes mounted on them start out writable for it.
RUN mkdir -p /var/lib/lagebild/auth && chown -R node:node /var/lib/lagebild
USER node
VOLUME ["/var/lib/lagebild"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LAGEBILD_PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "services/cli/dist/main.js", "start"]
