# syntax=docker/dockerfile:1
# Multi-stage build of one Keycard service: build in the full workspace, then run the bundle with
# production dependencies only, as the unprivileged `node` user. Build from the repository root:
#   docker build -f tools/docker/service.Dockerfile --build-arg SERVICE=auth-service \
#     --build-arg PORT_VARIABLE=AUTH_PORT --build-arg PORT=3000 -t keycard/auth-service .
#   docker build -f tools/docker/service.Dockerfile --build-arg SERVICE=resource-service \
#     --build-arg PORT_VARIABLE=RESOURCE_PORT --build-arg PORT=3001 -t keycard/resource-service .
ARG SERVICE=auth-service

FROM node:20-bookworm-slim AS build
ARG SERVICE
WORKDIR /workspace
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NX_DAEMON=false NX_NO_CLOUD=true
RUN npx nx build "$SERVICE" --output-style=static && mv "dist/apps/$SERVICE" /bundle

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /bundle/package.json /bundle/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ARG PORT_VARIABLE=AUTH_PORT
ARG PORT=3000
# The health check reads the service's own port setting (e.g. AUTH_PORT), default PORT.
ENV NODE_ENV=production DATA_DIR=/data PORT_VARIABLE=${PORT_VARIABLE} DEFAULT_PORT=${PORT}
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /bundle ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "const p=process.env[process.env.PORT_VARIABLE]||process.env.DEFAULT_PORT;fetch('http://127.0.0.1:'+p+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "main.js"]
