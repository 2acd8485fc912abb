// A chain without EIP-1559 (Anvil on the berlin hardfork, a test file's own node): the fee quote
// falls back to the legacy gas price, and a native sweep still leaves exactly 0 wei behind.
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBigInt } from "../payments/payment-object";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { quoteFees } from "../transactions/fees/quote-fees";
import { clientOf } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort(), hardfork: "berlin" });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl, legacyChain: true });
});
afterAll(async () => {
  await anvil?.stop();
  await database?.drop();
});

describe("legacy gas price chains", () => {
  it("quotes the legacy gas price and sweeps native coin to exactly 0 wei", async () => {
    const chain = fx.deps.chains[0];
    if (!chain) throw new Error("no chain");
    const quote = await quoteFees(clientOf(fx.deps, chain), { chain, maxAgeMs: 0 });
    if (quote.type !== "legacy") throw new Error(`a legacy quote expected, got ${quote.type}`);
    expect(quote.gasPrice).toBeGreaterThan(0n);

    const payment = await fx.createConfirmedPayment({ amount: "0.75" });
    const [sweepId = ""] = await planSweeps(fx.deps);
    for (let run = 0; run < 12 && (await advanceSweep(fx.deps, sweepId)).status !== "confirmed"; run++)
      await fx.mine();
    const sweep = await database.db.sweep.findFirstOrThrow({ where: { paymentId: payment.id } });
    expect(sweep.status).toBe("confirmed");
    const transaction = await fx.publicClient.getTransaction({ hash: sweep.txHash as Hex });
    expect(transaction.type).toBe("legacy");
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: sweep.txHash as Hex });
    expect(toBigInt(sweep.amount) + receipt.gasUsed * receipt.effectiveGasPrice).toBe(payment.amount);
    expect(await fx.publicClient.getBalance({ address: payment.deposit })).toBe(0n);
    expect(await fx.publicClient.getBalance({ address: fx.treasury })).toBe(toBigInt(sweep.amount));
  });
});
