// The chain watcher and the sweeper together, on a test file's own Anvil: a USDC and a native
// payment are paid with real transactions, detected and confirmed by scanChain, then swept by the
// embedded runner's jobs (scan + sweep) to the merchant's treasury. Nothing is forced in the
// database: every state comes from the chain.

import { type Address, erc20Abi, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { type EmbeddedRunner, startEmbeddedRunner } from "../jobs/embedded-runner";
import { chainScanJob, sweepJob } from "../jobs/jobs";
import { createLogger } from "../logger";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { unspentGasReserve } from "../testing/unspent-gas-reserve";
import { gasTankAddress } from "../transactions/signing-accounts";
import { reconcileChain } from "./reconcile-chain";
import { setTreasurySetting } from "./set-treasury-setting";

let database: TestDatabase;
let fx: ScannerFixture;
let runner: EmbeddedRunner | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  // The watcher runs before payments exist: its cursor gives new payments their start block.
  await fx.scan();
});
afterAll(async () => {
  await runner?.stop();
  await fx?.stop();
  await database?.drop();
});

function usdcBalance(owner: Address) {
  return fx.publicClient.readContract({
    address: MOCK_USDC_ADDRESS,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

describe("scanner + sweeper on one chain", () => {
  it("detects, confirms and settles a USDC and a native payment; every unit reconciles", async () => {
    const treasury = privateKeyToAddress(generatePrivateKey());
    await setTreasurySetting(
      { actor: OPERATOR, db: database.db, chains: [fx.chain] },
      fx.merchant.merchantId,
      {
        chain: "local",
        address: treasury,
      },
    );
    const usdcPayment = await fx.createPayment({ token: "USDC", amount: "25.5" });
    const nativePayment = await fx.createPayment({ amount: "1.25" });
    await fx.sendToken(usdcPayment.address, 25_500_000n);
    await fx.sendEth(nativePayment.address, 1_250_000_000_000_000_000n);

    // The watcher alone: detected, then confirmed after the required confirmations.
    await fx.scan();
    // The USDC transfer already has 2 confirmations (the ETH one mined a block later).
    expect((await fx.payment(nativePayment.id)).status).toBe("detected");
    await fx.mine(2);
    await fx.scan();
    expect((await fx.payment(usdcPayment.id)).status).toBe("confirmed");
    expect((await fx.payment(nativePayment.id)).status).toBe("confirmed");

    // The development seed's gas tank, funded by the devnet setup as on `npm start`.
    const gasTank = gasTankAddress(DEVELOPMENT_MNEMONIC);
    const tankBefore = await fx.publicClient.getBalance({ address: gasTank });
    expect(tankBefore).toBeGreaterThan(10n ** 18n);

    const logger = createLogger({}, { level: "error" });
    runner = startEmbeddedRunner({
      jobs: [chainScanJob, sweepJob],
      context: { db: database.db, chains: [fx.chain], logger, mnemonic: DEVELOPMENT_MNEMONIC },
      logger,
    });
    const statuses = async () => {
      await fx.mine();
      const rows = await database.db.payment.findMany({
        where: { id: { in: [usdcPayment.id, nativePayment.id] } },
        select: { status: true },
      });
      return rows.map((row) => row.status);
    };
    await expect.poll(statuses, { timeout: 45_000, interval: 300 }).toEqual(["settled", "settled"]);
    await runner.stop();
    runner = undefined;

    const usdcSweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: usdcPayment.id } });
    const nativeSweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: nativePayment.id } });
    for (const [payment, sweep] of [
      [usdcPayment, usdcSweep],
      [nativePayment, nativeSweep],
    ] as const) {
      expect(sweep.status).toBe("confirmed");
      const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
      expect(receipt.status).toBe("success");
      const event = await database.db.event.findFirstOrThrow({
        where: { objectId: payment.id, type: "payment.settled" },
      });
      expect(event.data).toMatchObject({
        id: payment.id,
        status: "settled",
        settlement: { sweep_id: sweep.id, tx_hash: sweep.txHash, to_address: treasury },
      });
    }

    // Exact amounts: every USDC unit, and the ETH less exactly the sweep's fee and the gas it reserved
    // and did not burn, which stays at the deposit address.
    expect(await usdcBalance(treasury)).toBe(25_500_000n);
    expect(await usdcBalance(usdcPayment.address as Address)).toBe(0n);
    const nativeReceipt = await fx.publicClient.getTransactionReceipt({ hash: nativeSweep.txHash as Hex });
    const nativeFee = nativeReceipt.gasUsed * nativeReceipt.effectiveGasPrice;
    expect(toBigInt(nativeSweep.fee)).toBe(nativeFee);
    const left = await unspentGasReserve(fx.publicClient, nativeSweep.txHash);
    expect(left).toBeGreaterThan(0n);
    expect(await fx.publicClient.getBalance({ address: treasury })).toBe(
      1_250_000_000_000_000_000n - nativeFee - left,
    );
    expect(await fx.publicClient.getBalance({ address: nativePayment.address as Address })).toBe(left);
    // The gas tank paid exactly the top-up and the top-up's own fee.
    const topUp = await fx.publicClient.getTransactionReceipt({ hash: usdcSweep.gasFundTxHash as Hex });
    expect(toBigInt(usdcSweep.gasFundFee ?? { toFixed: () => "-1" })).toBe(
      topUp.gasUsed * topUp.effectiveGasPrice,
    );

    const reconciliation = await reconcileChain({ db: database.db, chains: [fx.chain] }, { chain: "local" });
    expect(reconciliation.flagged_payments).toEqual([]);
    expect(reconciliation.tokens).toEqual([
      {
        symbol: "ETH",
        received: "1.25",
        swept: expect.any(String),
        fees: formatAmount(nativeFee, 18),
        held_on_chain: formatAmount(left, 18),
        difference: "0",
      },
      { symbol: "USDC", received: "25.5", swept: "25.5", fees: "0", held_on_chain: "0", difference: "0" },
    ]);
  });
});
