// `npm run bench:payouts`: see bench/payouts-run.ts for what is measured and how.
// The route handler it drives reads the process-wide configuration (lib/config/env.ts, parsed once),
// so this run's database and Anvil are put into the environment before anything else is loaded.
import { freePort } from "../lib/runtime/free-port";

const postgresPort = await freePort();
const anvilPort = await freePort();
process.env.ANVIL_PORT = String(anvilPort);
process.env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${postgresPort}/bench_payouts`;
const { runPayoutBenchmark } = await import("./payouts-run");
await runPayoutBenchmark({ postgresPort, anvilPort });
process.exit(process.exitCode ?? 0);
