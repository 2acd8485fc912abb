import { defineConfig, devices } from "@playwright/test";
import { baseURL, e2eAnvilPort, e2eDataDir, e2ePort, e2ePostgresPort, e2eServerLog } from "./e2e/server";

// The e2e suite runs the real gateway through `npm start` on its own ports and a fresh data
// directory: embedded PostgreSQL, an Anvil devnet, the production build and in-process jobs.

export default defineConfig({
  testDir: "e2e",
  forbidOnly: true,
  // After the last test, while the gateway still runs: its whole log holds no secret.
  globalTeardown: "./e2e/scan-server-log.ts",
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL,
    trace: "on-first-retry",
    launchOptions: {
      // Debian's Chromium (apt-get install chromium); Playwright's browser download is unavailable here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], channel: undefined } },
    { name: "phone", use: { ...devices["Pixel 7"], channel: undefined }, grep: /@phone/ },
  ],
  webServer: {
    // Its output is also copied to a file; tee ignores the SIGTERM of the graceful shutdown so it
    // keeps copying until the gateway's last line.
    command: `rm -rf ${e2eDataDir} && mkdir -p test-results && npm start 2>&1 | (trap '' TERM; exec tee ${e2eServerLog})`,
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    env: {
      PORT: String(e2ePort),
      HOST: "127.0.0.1",
      ANVIL_PORT: String(e2eAnvilPort),
      EMBEDDED_POSTGRES_PORT: String(e2ePostgresPort),
      CTRIP_DATA_DIR: e2eDataDir,
      // Checkout links and next-auth's base URL use the address the browser reaches the gateway at.
      PUBLIC_URL: baseURL,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
