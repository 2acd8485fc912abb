// Balance mode on a real Anvil node: confirmed payments are swept to the merchant's own hot wallet
// and credited to its balance exactly once, with real funds moved.

import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { toBigInt } from "../payments/payment-object";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { hotWalletSigner } from "../transactions/signing-accounts";
import { hotWalletAddress } from "../wallet/derivation";
import { creditSettledPayment } from "./credit-settled-payment";
import { findLedgerMismatches } from "./find-ledger-mismatches";

let database: TestDatabase;
let fx: SettlementFixture;
let hotWallet: `0x${string}`;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
  await setTreasurySetting({ actor: OPERATOR, db: database.db, chains: [fx.chain] }, fx.merchant.merchantId, {
    chain: "local",
    mode: "balance",
  });
  const merchant = await database.db.merchant.findUniqueOrThrow({ where: { id: fx.merchant.merchantId } });
  hotWallet = hotWalletAddress(merchant.depositXpub);
});
afterAll(() => database.drop());

async function driveToConfirmed(sweepId: string) {
  for (let run = 0; run < 12; run++) {
    const result = await advanceSweep(fx.deps, sweepId);
    if (result.status === "confirmed") return result;
    await fx.mine();
  }
  throw new Error(`sweep ${sweepId} did not confirm`);
}

async function availableOf(tokenSymbol: string) {
  const row = await database.db.balance.findUnique({
    where: {
      merchantId_chain_tokenSymbol: { merchantId: fx.merchant.merchantId, chain: "local", tokenSymbol },
    },
  });
  return row ? toBigInt(row.available) : 0n;
}

describe("balance-mode settlement", () => {
  it("derives the hot wallet from the account xpub on its own branch, matching the signing key", () => {
    expect(hotWalletSigner(fx.mnemonic, fx.merchant.hdAccount).address).toBe(hotWallet);
    expect(hotWallet).not.toBe(fx.gasTank);
  });

  it("sweeps a native payment to the hot wallet and credits exactly what arrived there", async () => {
    const payment = await fx.createConfirmedPayment({ amount: "0.75" });
    const before = await fx.publicClient.getBalance({ address: hotWallet });
    const [sweepId] = await planSweeps(fx.deps);
    const sweep = await database.db.sweep.findUniqueOrThrow({ where: { id: sweepId ?? "" } });
    expect(sweep).toMatchObject({ mode: "balance", toAddress: hotWallet });
    await driveToConfirmed(sweep.id);

    const swept = toBigInt((await database.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } })).amount);
    expect(swept).toBeGreaterThan(0n);
    expect((await fx.publicClient.getBalance({ address: hotWallet })) - before).toBe(swept);
    expect(await availableOf("ETH")).toBe(swept);
    const entries = await database.db.balanceTransaction.findMany({ where: { paymentId: payment.id } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: "payment_settled", tokenSymbol: "ETH" });
    expect(toBigInt(entries[0]?.amount ?? { toFixed: () => "0" })).toBe(swept);
    // Gross is what the payer sent; the fee is all that did not reach the hot wallet: the sweep's gas
    // (from its receipt) and the unspent gas reserve left at the deposit address.
    const confirmed = await database.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: confirmed.txHash as `0x${string}` });
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    const leftAtDeposit = await fx.publicClient.getBalance({
      address: confirmed.fromAddress as `0x${string}`,
    });
    expect(gas).toBeGreaterThan(0n);
    expect(entries[0]?.gross?.toFixed()).toBe(parseEther("0.75").toString());
    expect(entries[0]?.fee?.toFixed()).toBe((gas + leftAtDeposit).toString());
    expect(parseEther("0.75") - gas - leftAtDeposit).toBe(swept);
    expect((await database.db.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe(
      "settled",
    );

    // Running the sweep again credits nothing more; a second credit of the payment is refused.
    await advanceSweep(fx.deps, sweep.id);
    await expect(
      database.db.$transaction((tx) =>
        creditSettledPayment(tx, {
          merchantId: fx.merchant.merchantId,
          chain: "local",
          tokenSymbol: "ETH",
          paymentId: payment.id,
          amount: swept,
          split: { gross: swept, fee: 0n },
          txHash: null,
        }),
      ),
    ).rejects.toThrow();
    expect(await availableOf("ETH")).toBe(swept);
    expect(await database.db.balanceTransaction.count({ where: { paymentId: payment.id } })).toBe(1);
  });

  it("sweeps a USDC payment to the hot wallet and credits the token amount", async () => {
    await fx.fundGasTank(parseEther("1"));
    const payment = await fx.createConfirmedPayment({ token: "USDC", amount: "12.345678" });
    const [sweepId] = await planSweeps(fx.deps);
    await driveToConfirmed(sweepId ?? "");
    expect(await fx.tokenBalance(hotWallet)).toBe(12_345_678n);
    expect(await availableOf("USDC")).toBe(12_345_678n);
    const entry = await database.db.balanceTransaction.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(entry.type).toBe("payment_settled");
    // The gas tank paid the gas in ETH: the USDC credit is the whole amount, with no fee.
    expect([entry.gross?.toFixed(), entry.fee?.toFixed()]).toEqual(["12345678", "0"]);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
  });
});
