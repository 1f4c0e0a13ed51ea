# syntax=docker/dockerfile:1
# Build:  docker build --build-arg REVISION="$(git rev-parse --short=12 HEAD)" -t kms-keystore-exporter .
# Run:    docker run --rm --read-only -p 10127:10127 kms-keystore-exporter --demo
# The entrypoint is the exporter itself: arguments after the image name are its flags.

# One Node version for every stage, pinned by its full version tag.
ARG NODE_VERSION=24.11.1

# Compiles TypeScript with the dev dependencies; nothing of this stage but dist/ is kept.
FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/write-revision.mjs scripts/
COPY src/ src/
RUN npm run build

# Production dependencies only, installed apart so that no dev dependency reaches the image.
FROM node:${NODE_VERSION}-trixie-slim AS production-dependencies
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-trixie-slim
# VERSION labels the image; it matches package.json (a test checks it). REVISION is the git
# commit: the image has no .git, so the exporter reports it from KMS_EXPORTER_REVISION.
ARG VERSION=0.1.0
ARG REVISION=""
LABEL org.opencontainers.image.title="kms-keystore-exporter" \
      org.opencontainers.image.description="Prometheus exporter for the connection state of AWS KMS custom key stores across accounts and regions" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/kms-keystore-exporter/kms-keystore-exporter" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    KMS_EXPORTER_REVISION=${REVISION}
WORKDIR /app
# package.json is read at run time for the version; scenarios/ holds the --demo scenario.
COPY package.json ./
COPY scenarios/ scenarios/
COPY --from=production-dependencies /src/node_modules/ node_modules/
COPY --from=build /src/dist/ dist/
# Files stay owned by root and read-only to the process; it writes nothing, so the root
# filesystem can be mounted read-only. Numeric, so that runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 10127
# Run it with a memory limit (the pod's, or docker run --memory=768m): Node sizes its heap
# from it. Without one, Node 22 and 24 size V8's young generation from the host's memory (up
# to 64 MiB semi-spaces, 128 MiB of new space); 16 MiB, Node 20's size, keeps 10,000
# targets x 5 stores about 90 MiB smaller then (BENCHMARKS.md, "Memory of the shipped process").
ENV NODE_OPTIONS=--max-semi-space-size=16
ENTRYPOINT ["node", "/app/dist/cli.js"]
