// Where the e2e gateway runs (playwright.config.ts starts it; specs talk to it and to its devnet).
export const e2ePort = Number(process.env.E2E_PORT ?? 3100);
export const e2eAnvilPort = Number(process.env.E2E_ANVIL_PORT ?? 18545);
export const e2ePostgresPort = Number(process.env.E2E_POSTGRES_PORT ?? 55432);
export const e2eDataDir = ".tmp/e2e-data";
export const baseURL = `http://127.0.0.1:${e2ePort}`;
export const anvilRpcUrl = `http://127.0.0.1:${e2eAnvilPort}`;
/** Everything the gateway's processes write (Next, in-process jobs, npm start): scanned for secrets. */
export const e2eServerLog = "test-results/e2e-server.log";
