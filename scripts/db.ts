// `npm run db:migrate | db:status | db:rollback -- --to <migration>`: see lib/db/run-db-command.ts.
import { openOperatorDatabase } from "../lib/admin/open-operator-database";
import { parseEnv } from "../lib/config/env";
import { DB_USAGE, runDbCommand, UsageError } from "../lib/db/run-db-command";

const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes("--help")) {
  console.log(DB_USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}

let exitCode = 1;
try {
  const database = await openOperatorDatabase(parseEnv());
  try {
    const result = await runDbCommand(database.databaseUrl, argv);
    console.log(`database: ${database.source}`);
    for (const line of result.lines) console.log(line);
    exitCode = result.exitCode;
  } finally {
    await database.close();
  }
} catch (error) {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  // One line an operator can act on (a refusal, a bad setting, an unreachable server), no stack.
  console.error(`db: ${error instanceof Error ? error.message : String(error)}`);
  if (usage) console.error(`\n${DB_USAGE}`);
  exitCode = usage ? 2 : 1;
}
process.exit(exitCode);
