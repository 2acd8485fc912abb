// `npm run admin -- backup --out FILE` and `npm run admin -- restore --in FILE`: they work on the
// database connection itself (no Prisma, no seed check first: a restore target is empty).
import { parseArgs } from "node:util";
import { z } from "zod";
import { createBackup } from "./create-backup";
import { DEFAULT_DEPOSIT_INDEX_GAP, DEFAULT_MERCHANT_ACCOUNT_GAP, restoreBackup } from "./restore-backup";

export const BACKUP_COMMANDS = ["backup", "restore"] as const;

export const BACKUP_USAGE = `  backup --out <file>                                                    → {"file", "taken_at", "migration", "tables"}
                                a consistent snapshot (gzip'ed JSON lines) while the gateway runs
  restore --in <file> [--index-gap <n>] [--account-gap <n>]             → {"restore_id", "tables", "deposit_index_gap", ...}
                                into an empty database migrated to the backup's level; deposit
                                indexes advance by --index-gap (default ${DEFAULT_DEPOSIT_INDEX_GAP}), new merchants start
                                --account-gap (default ${DEFAULT_MERCHANT_ACCOUNT_GAP}) accounts above the restored ones`;

const ZGap = z.coerce.number().int().min(1).max(100_000_000);

export function isBackupCommand(command: string | undefined): boolean {
  return (BACKUP_COMMANDS as readonly string[]).includes(command ?? "");
}

export async function runBackupCommand(
  databaseUrl: string,
  argv: string[],
  mnemonic: string,
): Promise<unknown> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: "string" },
      in: { type: "string" },
      "index-gap": { type: "string" },
      "account-gap": { type: "string" },
    },
    strict: true,
  });
  if (command === "backup") {
    if (!values.out) throw new BackupUsageError("backup needs --out <file>");
    return createBackup(databaseUrl, values.out);
  }
  if (!values.in) throw new BackupUsageError("restore needs --in <file>");
  const gap = (name: "index-gap" | "account-gap") => {
    const value = values[name];
    if (value === undefined) return undefined;
    const parsed = ZGap.safeParse(value);
    if (!parsed.success) throw new BackupUsageError(`--${name} must be a whole number from 1 to 100000000`);
    return parsed.data;
  };
  return restoreBackup(databaseUrl, values.in, {
    mnemonic,
    depositIndexGap: gap("index-gap"),
    merchantAccountGap: gap("account-gap"),
  });
}

export class BackupUsageError extends Error {
  override name = "UsageError";
}
