// The sweeper killed (SIGKILL) between the gas top-up and the token transfer, then restarted: the
// real `npm run worker` process, a test file's own Anvil (nothing mines unless the test does), a
// real database. The restarted worker completes the sweep without a second top-up.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { type WorkerProcess, workerProcess } from "../testing/worker-process";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
let workDir: string;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  workDir = mkdtempSync(join(tmpdir(), "ctrip-sweeper-"));
});
afterAll(async () => {
  await worker?.kill();
  await anvil?.stop();
  await database?.drop();
  rmSync(workDir, { recursive: true, force: true });
});

describe("sweeper restart", () => {
  it("killed between top-up and transfer, restarted: completes with exactly one top-up", async () => {
    const chainsFile = join(workDir, "chains.yaml");
    writeFileSync(
      chainsFile,
      stringify({
        chains: [
          {
            ...fx.chain,
            tokens: fx.chain.tokens.map(({ symbol, address, decimals }) => ({ symbol, address, decimals })),
          },
        ],
      }),
    );
    worker = workerProcess({
      DATABASE_URL: database.databaseUrl,
      CHAINS_FILE: chainsFile,
      WALLET_MNEMONIC: fx.mnemonic,
      LOG_LEVEL: "info",
    });
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "30" });
    const sweepState = async () => {
      const sweep = await database.db.sweep.findFirst({ where: { paymentId: payment.id } });
      const topUps = await fx.publicClient.getTransactionCount({ address: fx.gasTank });
      return { status: sweep?.status ?? null, topUps };
    };

    // First worker: plans, records and sends the top-up, which is mined (instant mining) but cannot
    // reach its 2 confirmations while nothing else mines. Killed there, without any cleanup.
    await worker.start();
    await expect
      .poll(sweepState, { timeout: 30_000, interval: 200 })
      .toEqual({ status: "funding_gas", topUps: 1 });
    await worker.kill();
    await fx.mine(2);

    // Restarted: confirms the recorded top-up and transfers the tokens.
    await worker.start();
    await expect
      .poll(
        async () => {
          await fx.mine();
          return (await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status;
        },
        { timeout: 45_000, interval: 500 },
      )
      .toBe("settled");
    expect(await worker.stop()).toBe(0);

    expect(await fx.publicClient.getTransactionCount({ address: fx.gasTank })).toBe(1);
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep).toMatchObject({ status: "confirmed", attempts: 0, lastError: null });
    expect(await fx.tokenBalance(fx.treasury)).toBe(30_000_000n);
    expect(await fx.tokenBalance(payment.deposit)).toBe(0n);
    expect(await fx.publicClient.getTransactionCount({ address: payment.deposit })).toBe(1);
  });
});
