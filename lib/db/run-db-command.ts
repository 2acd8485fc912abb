// `npm run db:migrate | db:status | db:rollback -- --to <migration> [--force]` (scripts/db.ts).
import { parseArgs } from "node:util";
import { migrateDatabase, readMigrations } from "./migrate";
import { MigrationError } from "./migration-history";
import { migrationStatus } from "./migration-status";
import { rollbackDatabase } from "./rollback";

export const DB_USAGE = `Usage: npm run db:<command> [-- options]   (node --import tsx scripts/db.ts <command>)
  migrate                          apply every pending migration (recorded as prisma migrate deploy does)
  status                           each migration: applied / pending / checksum drift / failed / not on disk
  rollback --to <migration> [--force]
                                   run the down.sql of every migration applied after <migration>, newest
                                   first; --force also runs those that drop money data (back up first)
  rollback --all --force           run every down.sql (drops the whole schema and its data)
The database: DATABASE_URL, else the embedded one of a running npm start, else the embedded cluster
under $CTRIP_DATA_DIR/postgres (started for the command).`;

export type DbCommandResult = {
  lines: string[];
  /** Non-zero when status finds something an operator must fix (drift, failed, not on disk). */
  exitCode: number;
};

export async function runDbCommand(
  databaseUrl: string,
  argv: string[],
  migrationsDir?: string,
): Promise<DbCommandResult> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      to: { type: "string" },
      all: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
    },
    strict: true,
  });
  const migrations = readMigrations(migrationsDir);
  switch (command) {
    case "migrate": {
      const result = await migrateDatabase(databaseUrl, migrations);
      return {
        lines: [
          ...result.applied.map((name) => `applied ${name}`),
          `migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already in place`,
        ],
        exitCode: 0,
      };
    }
    case "status": {
      const entries = await migrationStatus(databaseUrl, migrations);
      const width = Math.max(...entries.map((entry) => entry.state.length), 7);
      const nameWidth = Math.max(...entries.map((entry) => entry.name.length), 0);
      const problems = entries.filter((entry) => !["applied", "pending"].includes(entry.state));
      const pending = entries.filter((entry) => entry.state === "pending").length;
      return {
        lines: [
          ...entries.map(
            (entry) =>
              `${entry.state.padEnd(width)}  ${entry.name.padEnd(nameWidth)}${entry.appliedAt ? `  ${entry.appliedAt.toISOString()}` : ""}${entry.hasDown ? "" : "  (no down.sql)"}`,
          ),
          `${entries.length - pending - problems.length} applied, ${pending} pending, ${problems.length} needing attention`,
        ],
        exitCode: problems.length > 0 ? 1 : 0,
      };
    }
    case "rollback": {
      if (!values.to === !values.all)
        throw new UsageError("rollback needs --to <migration> (the one to keep) or --all");
      const to = values.to ?? null;
      const result = await rollbackDatabase(databaseUrl, { to, force: values.force }, migrations);
      return {
        lines: [
          ...result.rolledBack.map((name) => `rolled back ${name}`),
          `rollback: ${result.rolledBack.length} rolled back; ${to ? `${to} is now the latest applied` : "no migration is applied"}`,
        ],
        exitCode: 0,
      };
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : "no command");
  }
}

export class UsageError extends MigrationError {
  override name = "UsageError";
}
