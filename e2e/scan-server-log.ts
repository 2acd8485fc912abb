// Playwright global teardown: the whole log of the e2e gateway (npm start, Next, the in-process jobs:
// scanner, sweeper, payouts, webhooks) holds no secret: not the mnemonic, not a private key derived
// from it for the merchants the suite created, not a raw API key, a webhook secret or a password hash.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "@/lib/config/env";
import { createDb } from "@/lib/db/client";
import { describeSecretHit, findSecrets, walletSecretTermsOf } from "@/lib/testing/secret-scan";
import { e2eDataDir, e2eServerLog } from "./server";

/** Lines every run writes: the scan cannot pass on an empty or truncated log. */
const EXPECTED_LINES = ["[ctrip] cTrip Pay is starting on", '"message":"embedded job runner started"'];

export default async function scanServerLog() {
  const log = readFileSync(e2eServerLog, "utf8");
  const missing = EXPECTED_LINES.filter((line) => !log.includes(line));
  if (missing.length) throw new Error(`${e2eServerLog} lacks expected lines: ${missing.join(", ")}`);

  const { databaseUrl } = JSON.parse(readFileSync(join(e2eDataDir, "runtime.json"), "utf8")) as {
    databaseUrl: string;
  };
  const db = createDb(databaseUrl, { maxConnections: 1 });
  const terms = await walletSecretTermsOf(db, parseEnv().WALLET_MNEMONIC).finally(() => db.$disconnect());
  const hits = findSecrets(log, terms);
  const lines = log.split("\n").length;
  console.log(
    `secret scan: ${e2eServerLog}, ${log.length} characters, ${lines} lines, ` +
      `${terms.privateKeys.size} derived keys searched: ${hits.length} found`,
  );
  if (hits.length)
    throw new Error(`secrets in ${e2eServerLog}:\n  ${hits.map(describeSecretHit).join("\n  ")}`);
}
