// Runs `prisma generate`. Prisma 7's CLI insists on resolving its native schema engine even though
// generate does not use it, and downloads it when missing — impossible on machines without internet.
// When no engine is configured or cached we point it at a stub that fails loudly if anything ever
// invokes it, so real engine errors are never hidden.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };

if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const stub = join(root, "node_modules", ".cache", "ctrip", "schema-engine-unavailable");
  if (!existsSync(stub)) {
    mkdirSync(dirname(stub), { recursive: true });
    writeFileSync(
      stub,
      '#!/bin/sh\necho "schema engine not installed: use npm run db:migrate (set PRISMA_SCHEMA_ENGINE_BINARY to a real engine for prisma migrate)" >&2\nexit 1\n',
    );
    chmodSync(stub, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}

const result = spawnSync(join(root, "node_modules", ".bin", "prisma"), ["generate"], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
