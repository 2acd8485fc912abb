// The outgoing-transaction engine on this file's own Anvil (mining is switched off and the base fee
// raised, which would disturb other files on a shared node): nonces are never shared, a crash
// between signing and broadcasting re-sends the recorded bytes, and a stuck transaction is replaced
// within the chain's policy — never beyond its fee ceiling — then paused with a reason.
import { type Hex, keccak256, parseEther, parseTransaction } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getHealth } from "../health/get-health";
import { renderMetrics } from "../metrics/render-metrics";
import { type RunningAnvil, startAnvil } from "../runtime/anvil";
import { freePort } from "../runtime/free-port";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { broadcastOutgoingTransaction, broadcastRawTransaction } from "./broadcast-raw-transaction";
import { quoteFees } from "./fees/quote-fees";
import { feeFieldsOf } from "./fees/transaction-cost";
import { type TransactionPolicy, transactionPolicyOf } from "./fees/transaction-policy";
import { replaceStuckTransaction } from "./replace-stuck-transaction";
import { signOutgoingTransaction } from "./sign-outgoing-transaction";
import { gasTankSigner } from "./signing-accounts";
import { clientOf } from "./transaction-deps";
import { watchOutgoingTransaction } from "./watch-outgoing-transaction";

let database: TestDatabase;
let anvil: RunningAnvil;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  anvil = await startAnvil({ port: await freePort() });
  fx = await createSettlementFixture(database.db, { rpcUrl: anvil.rpcUrl });
  await fx.testClient.setBalance({ address: fx.gasTank, value: parseEther("100") });
});
afterAll(async () => {
  await anvil?.stop();
  await database?.drop();
});

const signer = () => gasTankSigner(fx.deps.mnemonic);
const client = () => clientOf(fx.deps, fx.chain);

/** Signs and records a 1-wei-ish transfer from the gas tank in its own committed transaction. */
async function signTransfer(ownerId = `test_${Math.random()}`) {
  const fees = feeFieldsOf(await quoteFees(client(), { chain: fx.chain, maxAgeMs: 0 }));
  return database.db.$transaction((tx) =>
    signOutgoingTransaction(tx, client(), {
      chain: fx.chain,
      signer: signer(),
      purpose: "hot_wallet_gas_top_up",
      ownerId,
      call: { to: privateKeyToAddress(generatePrivateKey()), value: 1_000n },
      gas: 21_000n,
      fees,
      signedAt: new Date(),
    }),
  );
}

const engineRow = (id: string) => database.db.outgoingTransaction.findUniqueOrThrow({ where: { id } });

async function replace(id: string, policy: TransactionPolicy, stuckAfterMs = 0) {
  return database.db.$transaction((tx) =>
    replaceStuckTransaction(tx, client(), {
      id,
      chain: fx.chain,
      signer: signer(),
      policy,
      stuckAfterMs,
      now: new Date(),
    }),
  );
}

/** The fee fields of signed bytes, checked: the tip is always below the max fee (never overpaid). */
function parseChecked(rawTx: Hex) {
  const parsed = parseTransaction(rawTx);
  expect(parsed.type).toBe("eip1559");
  expect(parsed.maxPriorityFeePerGas ?? 0n).toBeLessThan(parsed.maxFeePerGas ?? 0n);
  return parsed;
}

describe("the nonce allocator", () => {
  it("never gives two concurrent callers the same nonce of one sender", async () => {
    const signed = await Promise.all(Array.from({ length: 8 }, () => signTransfer()));
    const nonces = signed.map((transaction) => transaction.nonce).sort((a, b) => a - b);
    expect(new Set(nonces).size).toBe(8);
    expect((nonces.at(-1) ?? 0) - (nonces[0] ?? 0)).toBe(7);
    for (const transaction of signed) await broadcastRawTransaction(client(), transaction.rawTx);
    await fx.mine();
  });
});

describe("a crash between signing and broadcasting", () => {
  it("re-broadcasts exactly the recorded bytes, and records the fee actually paid", async () => {
    // Signed and committed, then the process dies before sending anything.
    const signed = await signTransfer();
    parseChecked(signed.rawTx);
    const recorded = await engineRow(signed.id);
    expect(recorded).toMatchObject({
      status: "pending",
      rawTx: signed.rawTx,
      txHash: keccak256(signed.rawTx),
    });
    // The next process finds the row and sends what it holds.
    expect(await broadcastOutgoingTransaction(database.db, client(), signed.id)).toEqual({ kind: "sent" });
    // A second pass (or another runner) sending it again is harmless.
    expect((await broadcastOutgoingTransaction(database.db, client(), signed.id)).kind).not.toBe("failed");
    await fx.mine(fx.chain.confirmations);
    const outcome = await watchOutgoingTransaction(database.db, client(), fx.chain, {
      id: signed.id,
      now: new Date(),
    });
    const receipt = await fx.publicClient.getTransactionReceipt({ hash: signed.txHash });
    expect(outcome).toMatchObject({ kind: "final", hash: signed.txHash, success: true });
    const row = await engineRow(signed.id);
    expect(row.status).toBe("confirmed");
    expect(BigInt(row.feePaid?.toFixed() ?? "-1")).toBe(receipt.gasUsed * receipt.effectiveGasPrice);
  });
});

describe("a stuck transaction", () => {
  it("is replaced with both fees raised by the policy, never beyond its ceiling, then paused", async () => {
    await fx.testClient.setAutomine(false);
    try {
      const signed = await signTransfer();
      await broadcastRawTransaction(client(), signed.rawTx);
      const first = parseChecked(signed.rawTx);
      const ceiling = ((first.maxFeePerGas ?? 0n) * 13n) / 10n;
      const policy = { ...transactionPolicyOf(fx.chain), maxFeePerGas: ceiling };
      expect(await replace(signed.id, policy, 60_000)).toEqual({ kind: "not_stuck" });
      const seen = [first];
      for (;;) {
        const outcome = await replace(signed.id, policy);
        if (outcome.kind !== "replaced") {
          expect(outcome.kind).toBe("paused");
          break;
        }
        expect((await broadcastRawTransaction(client(), outcome.rawTx)).kind).toBe("sent");
        const previous = seen.at(-1);
        const next = parseChecked(outcome.rawTx);
        expect(next.nonce).toBe(first.nonce);
        expect(next.maxFeePerGas ?? 0n).toBeLessThanOrEqual(ceiling);
        expect((next.maxFeePerGas ?? 0n) * 1000n).toBeGreaterThanOrEqual(
          (previous?.maxFeePerGas ?? 0n) * 1125n,
        );
        expect((next.maxPriorityFeePerGas ?? 0n) * 1000n).toBeGreaterThanOrEqual(
          (previous?.maxPriorityFeePerGas ?? 0n) * 1125n,
        );
        seen.push(next);
      }
      // 1.125² ≤ 1.3 < 1.125³: two replacements fit under the ceiling.
      expect(seen).toHaveLength(3);
      const paused = await engineRow(signed.id);
      expect(paused).toMatchObject({ status: "paused", pausedReason: "fee_ceiling", replacements: 2 });
      expect(paused.lastError).toMatch(/ceiling/);
      // Paused: no further replacement, whatever the clock says.
      expect(await replace(signed.id, policy)).toEqual({ kind: "not_stuck" });
      await fx.mine(fx.chain.confirmations);
      // Still watched: the last replacement is mined and recorded.
      const outcome = await watchOutgoingTransaction(database.db, client(), fx.chain, {
        id: signed.id,
        now: new Date(),
      });
      expect(outcome).toMatchObject({ kind: "final", hash: paused.txHash, success: true });
      expect((await engineRow(signed.id)).status).toBe("confirmed");
    } finally {
      await fx.testClient.setAutomine(true);
    }
  });

  it("priced out by a rising base fee, is replaced at most the policy's number of times, then paused", async () => {
    await fx.testClient.setAutomine(false);
    try {
      const signed = await signTransfer();
      await broadcastRawTransaction(client(), signed.rawTx);
      const first = parseChecked(signed.rawTx);
      await fx.testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: (first.maxFeePerGas ?? 0n) * 3n });
      await fx.mine();
      await expect(fx.publicClient.getTransactionReceipt({ hash: signed.txHash })).rejects.toThrow();
      const policy = transactionPolicyOf(fx.chain);
      const hashes: Hex[] = [signed.txHash];
      for (let round = 0; round < policy.maxReplacements; round++) {
        const outcome = await replace(signed.id, policy);
        if (outcome.kind !== "replaced") throw new Error(`round ${round}: ${outcome.kind}`);
        expect(outcome.replacedHash).toBe(hashes.at(-1));
        hashes.push(outcome.txHash);
        await broadcastRawTransaction(client(), outcome.rawTx);
      }
      // The first replacement clears the new base fee: it is at least the current quote.
      expect(parseTransaction((await engineRow(signed.id)).rawTx as Hex).maxFeePerGas).toBeGreaterThan(
        (first.maxFeePerGas ?? 0n) * 3n,
      );
      const outcome = await replace(signed.id, policy);
      expect(outcome.kind).toBe("paused");
      const row = await engineRow(signed.id);
      expect(row).toMatchObject({ status: "paused", pausedReason: "max_replacements", replacements: 5 });
      expect(row.replacedTxHashes).toEqual(hashes.slice(0, -1));
      expect(row.lastError).toMatch(/needs an operator/);
      // The alert: operators see it in /api/metrics.
      expect(await renderMetrics({ db: database.db, chains: [fx.chain] })).toContain(
        `ctrip_outgoing_transactions_paused{chain="${fx.chain.name}",purpose="hot_wallet_gas_top_up",reason="max_replacements"} 1`,
      );
      const health = await getHealth({ db: database.db, chains: [fx.chain] });
      expect(health.status).toBe("degraded");
      expect(health.settlement).toEqual([
        expect.objectContaining({ status: "paused", last_error: expect.stringMatching(/needs an operator/) }),
      ]);
    } finally {
      await fx.testClient.setAutomine(true);
    }
  });
});
