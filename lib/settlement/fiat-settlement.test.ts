// A fiat-priced payment is swept in the coin it was paid with: its coin columns name the option paid
// (here ETH, though USDC is its first option), so the sweeper moves that coin to the treasury.
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { type EmbeddedRunner, startEmbeddedRunner } from "../jobs/embedded-runner";
import { chainScanJob, sweepJob } from "../jobs/jobs";
import { createLogger } from "../logger";
import { createFiatPayment } from "../payments/create-fiat-payment";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { unspentGasReserve } from "../testing/unspent-gas-reserve";
import { setTreasurySetting } from "./set-treasury-setting";

let database: TestDatabase;
let fx: ScannerFixture;
let runner: EmbeddedRunner | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
});
afterAll(async () => {
  await runner?.stop();
  await fx?.stop();
  await database?.drop();
});

describe("settlement of a fiat-priced payment", () => {
  it("sweeps the coin the payer chose to the treasury", async () => {
    const treasury = privateKeyToAddress(generatePrivateKey());
    await setTreasurySetting(
      { actor: OPERATOR, db: database.db, chains: [fx.chain] },
      fx.merchant.merchantId,
      {
        chain: "local",
        address: treasury,
      },
    );
    const payment = await createFiatPayment(
      { actor: OPERATOR, db: database.db, chains: [fx.chain], baseUrl: BASE_URL, now: await fx.chainNow() },
      fx.merchant.merchantId,
      {
        price: { amount: "30.00", currency: "USD" },
        accepts: [{ chain: "local", token: "USDC" }, { chain: "local" }],
      },
    );
    const eth = BigInt(payment.options?.[1]?.amount_base_units ?? "0");
    expect(eth).toBe(10n ** 16n); // 30 USD at 3000 USD/ETH
    await fx.sendEth(payment.address, eth);

    const logger = createLogger({}, { level: "error" });
    runner = startEmbeddedRunner({
      jobs: [chainScanJob, sweepJob],
      context: { db: database.db, chains: [fx.chain], logger, mnemonic: DEVELOPMENT_MNEMONIC },
      logger,
    });
    const status = async () => {
      await fx.mine();
      return (await fx.payment(payment.id)).status;
    };
    await expect.poll(status, { timeout: 45_000, interval: 300 }).toBe("settled");
    await runner.stop();
    runner = undefined;

    const row = await fx.payment(payment.id);
    expect(row).toMatchObject({ tokenSymbol: "ETH", tokenAddress: null, optionPaid: true });
    expect(toBigInt(row.valueReceived ?? { toFixed: () => "0" })).toBe(3000n);
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep).toMatchObject({ status: "confirmed", tokenAddress: null });
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    const fee = receipt.gasUsed * receipt.effectiveGasPrice;
    // A native sweep leaves its unspent gas reserve at the deposit address.
    const left = await unspentGasReserve(fx.publicClient, sweep.txHash);
    expect(await fx.publicClient.getBalance({ address: treasury })).toBe(eth - fee - left);
    expect(await fx.publicClient.getBalance({ address: payment.address as Address })).toBe(left);
  });
});
