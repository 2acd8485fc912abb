// `npm run admin -- <command>`: operator CLI, JSON on stdout (see lib/admin/run-admin-command.ts).
import { openOperatorDatabase } from "../lib/admin/open-operator-database";
import { resolveDatabaseUrl } from "../lib/admin/resolve-database-url";
import { ADMIN_USAGE, runAdminCommand, UsageError } from "../lib/admin/run-admin-command";
import { BackupUsageError, isBackupCommand, runBackupCommand } from "../lib/backup/run-backup-command";
import { loadChainsConfig } from "../lib/config/chains";
import { parseEnv } from "../lib/config/env";
import { assertProductionGuards } from "../lib/config/production-guards";
import { createDb } from "../lib/db/client";
import { assertSeedFingerprint } from "../lib/wallet/seed-fingerprint";

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes("--help") || argv[0] === "help") {
  console.log(ADMIN_USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}

try {
  const config = parseEnv();
  // The chains decide the production guards, so every command reads them (a real chain with the
  // development seed or secret is refused before the database is touched).
  const chains = loadChainsConfig(config.CHAINS_FILE).chains;
  assertProductionGuards(config, chains, "admin");
  if (isBackupCommand(argv[0])) {
    // On the connection itself, before any seed check (a restore target is empty): the embedded
    // cluster is started for the command when no gateway runs here.
    const database = await openOperatorDatabase(config);
    try {
      console.log(
        JSON.stringify(await runBackupCommand(database.databaseUrl, argv, config.WALLET_MNEMONIC), null, 2),
      );
    } finally {
      await database.close();
    }
    process.exit(0);
  }
  const db = createDb(resolveDatabaseUrl(config), { maxConnections: 2 });
  try {
    // Every command touches the database: the seed must be the one it was set up with.
    await assertSeedFingerprint(db, config.WALLET_MNEMONIC);
    const output = await runAdminCommand(db, argv, config.WALLET_MNEMONIC, chains);
    console.log(JSON.stringify(output, null, 2));
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  const usage =
    error instanceof UsageError ||
    error instanceof BackupUsageError ||
    (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  console.error(`admin: ${(error as Error).message}${usage ? `\n\n${ADMIN_USAGE}` : ""}`);
  process.exit(usage ? 2 : 1);
}
