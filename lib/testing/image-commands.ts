// The commands the container image runs, from its working directory (/app): the Dockerfile's CMD
// (app), and the `command` of the worker and migrate services in docker-compose.yml. The compose
// test checks both files say exactly this; the image-commands test runs exactly this outside Docker.
export const IMAGE_COMMANDS = {
  /** Next's standalone server, with the V8 heap settings `npm start` also uses (NODE_HEAP_GROWTH_PERCENT, NODE_SEMI_SPACE_MB). */
  app: ["node", "--heap-growing-percent=30", "--max-semi-space-size=32", "server.js"],
  /** `npm run worker`. */
  worker: ["node", "--import", "tsx", "scripts/worker.ts"],
  /** `npm run db:migrate`. */
  migrate: ["node", "--import", "tsx", "scripts/db.ts", "migrate"],
} as const;

/** What the worker and the migrations load from the sources at runtime (copied into the image). */
export const IMAGE_SOURCE_ENTRIES = [
  "lib",
  "inngest",
  "scripts",
  "prisma",
  "contracts",
  "package.json",
  "tsconfig.json",
  "chains.yaml",
  "rates.yaml",
] as const;
