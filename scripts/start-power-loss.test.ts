// Resilience scenario "power loss of `npm start`" (RELIABILITY.md, issue 17): the whole embedded
// stack — npm, start.ts, Next with its in-process jobs, the embedded PostgreSQL and the Anvil devnet —
// is SIGKILLed at seeded random moments while the demo merchant's payments (native and USDC, treasury
// mode) are paid and swept, then `npm start` is run again on the same data folder with no manual
// step. PostgreSQL recovers from its WAL, Anvil comes back from its last state dump (a second or so
// older), and the gateway must follow what the chain holds: no payment is confirmed or settled
// without its transfer on the chain, every payment whose transfer is on the chain ends settled, and
// reconciliation finds every difference exactly zero.
// RESILIENCE_START_POWER_LOSSES (default 2) sets the number of losses, RESILIENCE_SEED replays a run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type Address,
  createPublicClient,
  createWalletClient,
  erc20Abi,
  type Hash,
  http,
  parseEther,
  parseUnits,
} from "viem";
import { afterAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../lib/access/actor";
import { findLedgerMismatches } from "../lib/balances/find-ledger-mismatches";
import { reconcileChainWithHotWallets } from "../lib/balances/reconcile-hot-wallets";
import { loadChainsConfig } from "../lib/config/chains";
import { createDb, type Db } from "../lib/db/client";
import { anvilDefaultAccounts } from "../lib/devnet/setup-devnet";
import { DEMO_MERCHANT_EMAIL } from "../lib/merchants/ensure-demo-merchant";
import { createPayment } from "../lib/payments/create-payment";
import { freePort } from "../lib/runtime/free-port";
import { acquireBuildLock } from "../lib/testing/build-lock";
import { expectPaymentsFollowTheChain } from "../lib/testing/chain-truth";
import {
  embeddedGatewayEnv,
  type GatewayProcess,
  processesUsing,
  startGatewayProcess,
} from "../lib/testing/gateway-process";
import { prng, seedFrom } from "../lib/testing/prng";

const root = resolve(import.meta.dirname, "..");
const LOSSES = Number(process.env.RESILIENCE_START_POWER_LOSSES ?? 2);
const SEED = seedFrom("RESILIENCE_SEED");
/** Payments paid before each loss. */
const PER_ROUND = 2;
/** A loss lands anywhere in [0, this) ms after the round's payments were sent. */
const MAX_WAIT_MS = 3_000;

const dataDir = mkdtempSync(join(tmpdir(), "ctrip-start-power-"));
const started: GatewayProcess[] = [];
afterAll(() => {
  for (const gateway of started) gateway.kill();
  killEveryProcessUsing(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
});

function killEveryProcessUsing(dir: string) {
  for (const line of processesUsing(dir)) {
    try {
      process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * A power loss: every process of the group, and anything else holding the data folder, dies at
 * once; resolves when none is left (a real restart finds no process of the old run either).
 */
async function powerLoss(gateway: GatewayProcess) {
  gateway.kill();
  killEveryProcessUsing(dataDir);
  await gateway.exited;
  await expect.poll(() => processesUsing(dataDir), { timeout: 15_000 }).toEqual([]);
}

type Paid = { id: string; units: bigint; hash: Hash };

describe("power loss of the whole `npm start` process group", () => {
  it(`comes back by itself and follows the chain through ${LOSSES} losses (seed ${SEED})`, {
    timeout: 600_000 + LOSSES * 90_000,
  }, async () => {
    const ports = { app: await freePort(), anvil: await freePort(), postgres: await freePort() };
    const chains = loadChainsConfig(join(root, "chains.yaml"), {
      ...process.env,
      ANVIL_PORT: String(ports.anvil),
    }).chains;
    const chain = chains.find((candidate) => candidate.name === "local");
    if (!chain) throw new Error("chains.yaml has no local chain");
    const usdc = chain.tokens.find((token) => token.symbol === "USDC");
    if (!usdc) throw new Error("the local chain has no USDC");
    const transport = http(`http://127.0.0.1:${ports.anvil}`, { retryCount: 0 });
    const publicClient = createPublicClient({ transport });
    const walletClient = createWalletClient({ transport });
    const [payer] = anvilDefaultAccounts(1) as [Address];
    const next = prng(SEED);

    const boot = async (releaseAfterServing?: () => void) => {
      const gateway = startGatewayProcess(embeddedGatewayEnv(dataDir, ports));
      started.push(gateway);
      await gateway.waitForHeadAbove(0, 480_000).finally(() => releaseAfterServing?.());
      const { databaseUrl } = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")) as {
        databaseUrl: string;
      };
      return { gateway, db: createDb(databaseUrl, { maxConnections: 2 }) };
    };
    const pay = (to: Address, units: bigint, token: boolean) =>
      token
        ? walletClient.writeContract({
            account: payer,
            chain: null,
            address: usdc.address,
            abi: erc20Abi,
            functionName: "transfer",
            args: [to, units],
          })
        : walletClient.sendTransaction({ account: payer, chain: null, to, value: units });
    /** The payer's transaction is on the node's chain (it may have been lost with the last second). */
    const onChain = async (hash: Hash) =>
      (await publicClient.getTransactionReceipt({ hash }).catch(() => null))?.status === "success";

    let running = await boot(await acquireBuildLock(root));
    const { id: merchantId } = await running.db.merchant.findFirstOrThrow({
      where: { users: { some: { email: DEMO_MERCHANT_EMAIL } } },
      select: { id: true },
    });
    const paid: Paid[] = [];
    for (let round = 0; round < LOSSES; round++) {
      for (let index = 0; index < PER_ROUND; index++) {
        const token = index % 2 === 1;
        const amount = token ? "2" : "0.02";
        const payment = await createPayment(
          { actor: OPERATOR, db: running.db, chains, baseUrl: `http://127.0.0.1:${ports.app}` },
          merchantId,
          { chain: chain.name, token: token ? usdc.symbol : undefined, amount },
        );
        const units = token ? parseUnits(amount, usdc.decimals) : parseEther(amount);
        paid.push({ id: payment.id, units, hash: await pay(payment.address as Address, units, token) });
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, next() * MAX_WAIT_MS));
      // The test's own connections would only see errors from a dead server.
      await running.db.$disconnect();
      await powerLoss(running.gateway);
      running = await boot();
    }

    const db: Db = running.db;
    const lost = async () => {
      const states = await Promise.all(paid.map(async (payment) => !(await onChain(payment.hash))));
      return new Set(paid.filter((_, index) => states[index]).map((payment) => payment.id));
    };
    const finished = async () => {
      const gone = await lost();
      const rows = await db.payment.findMany({ where: { id: { in: paid.map((payment) => payment.id) } } });
      return rows.every((row) => (gone.has(row.id) ? row.status === "pending" : row.status === "settled"));
    };
    await expect.poll(finished, { timeout: 180_000, interval: 1_000 }).toBe(true);

    const gone = await lost();
    await expectPaymentsFollowTheChain(db, publicClient, paid, gone);
    expect(await findLedgerMismatches(db)).toEqual([]);
    const report = await reconcileChainWithHotWallets(
      { db, chains, actor: OPERATOR },
      { chain: chain.name, merchantId },
    );
    expect(report.flagged_payments).toEqual([]);
    expect(report.tokens.map((token) => token.difference)).toEqual(report.tokens.map(() => "0"));
    expect(report.gas.difference).toBe("0");
    await db.$disconnect();
    await powerLoss(running.gateway);
    console.log(
      JSON.stringify({
        scenario: "npm-start-power-loss",
        seed: SEED,
        losses: LOSSES,
        payments: paid.length,
        lostWithTheChain: gone.size,
        settled: paid.length - gone.size,
      }),
    );
  });
});
