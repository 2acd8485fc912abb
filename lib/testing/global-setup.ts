// Vitest global setup: one real PostgreSQL cluster and one real Anvil devnet for the whole run.
// Each test file then creates its own fresh database (lib/testing/database.ts).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { databaseUrlFor, withAdmin } from "../db/admin";
import { migrateDatabase } from "../db/migrate";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { type RunningPostgres, startEmbeddedPostgres } from "../runtime/embedded-postgres";
import { freePort } from "../runtime/free-port";

declare module "vitest" {
  export interface ProvidedContext {
    /** Maintenance URL of the test cluster (CREATE/DROP DATABASE). */
    postgresAdminUrl: string;
    /** Migrated database each test file clones (lib/testing/database.ts). */
    postgresTemplateDatabase: string;
    /** JSON-RPC URL of the test Anvil node (instant mining, chain id 31337). */
    anvilRpcUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const started: Array<RunningPostgres | RunningAnvil> = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  let workDir: string | undefined;
  let postgresAdminUrl = process.env.DATABASE_URL;
  try {
    if (!postgresAdminUrl) {
      workDir = mkdtempSync(join(tmpdir(), "ctrip-test-"));
      // initdb runs as an unprivileged user when we are root: it must be able to enter the folder.
      chmodSync(workDir, 0o755);
      const postgres = await startEmbeddedPostgres({
        dataDir: join(workDir, "postgres"),
        port: await freePort(),
        database: "postgres",
        persistent: false,
      });
      started.push(postgres);
      postgresAdminUrl = postgres.adminUrl;
    }
    const template = `ctrip_template_${process.pid}`;
    const adminUrl = postgresAdminUrl;
    await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
    cleanups.push(() =>
      withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`)),
    );
    await migrateDatabase(databaseUrlFor(postgresAdminUrl, template));
    project.provide("postgresTemplateDatabase", template);

    const anvil = await startAnvil({ port: await freePort() });
    started.push(anvil);

    project.provide("postgresAdminUrl", postgresAdminUrl);
    project.provide("anvilRpcUrl", anvil.rpcUrl);
  } catch (error) {
    await stopAll();
    throw error;
  }

  async function stopAll() {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    for (const process of started.reverse()) await process.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }
  return stopAll;
}
