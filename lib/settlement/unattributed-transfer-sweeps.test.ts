// Resolved unattributed transfers move on a real Anvil: coins a fiat-priced payment does not accept
// (ETH on a USDC-only payment, EURC) are swept to the merchant once accepted (credited in balance
// mode) or sent back once refunded, each sweep exactly its transfer's amount; the payment's own
// sweep never spends them as gas; permissions, a refund to the deposit itself, unconfirmed
// transfers and concurrent planners.
import { type Address, erc20Abi } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeyActor, OPERATOR } from "../access/actor";
import { findLedgerMismatches } from "../balances/find-ledger-mismatches";
import { DEVELOPMENT_MNEMONIC } from "../config/env";
import { MOCK_USDC_ADDRESS } from "../devnet/mock-usdc";
import { createFiatPayment } from "../payments/create-fiat-payment";
import { getPaymentOrThrow } from "../payments/get-payment";
import {
  resolveUnattributedTransfer,
  type TResolveUnattributedTransfer,
} from "../payments/resolve-unattributed-transfer";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import {
  BASE_URL,
  OTHER_TOKEN_ADDRESS,
  type ScannerFixture,
  startScannerFixture,
} from "../testing/scanner-fixture";
import { driveSweep, expectChainReconciled, useSettlementMode } from "../testing/sweep-helpers";
import type { TransactionDeps } from "../transactions/transaction-deps";
import { advanceSweep } from "./advance-sweep";
import { planSweeps } from "./plan-sweeps";

let database: TestDatabase;
let fx: ScannerFixture;
let deps: TransactionDeps;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database, {
    confirmations: 2,
    tokens: [
      { symbol: "USDC", address: MOCK_USDC_ADDRESS, decimals: 6 },
      { symbol: "EURC", address: OTHER_TOKEN_ADDRESS, decimals: 6 },
    ],
  });
  deps = { db: database.db, chains: [fx.chain], mnemonic: DEVELOPMENT_MNEMONIC };
  await fx.mine(3);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const STRAY_ETH = 10n ** 15n; // 0.001 ETH the payment does not accept

/** A 20.00 USD payment that accepts only USDC on the devnet. */
async function usdcOnlyPayment() {
  return createFiatPayment(
    { actor: OPERATOR, db: database.db, chains: [fx.chain], baseUrl: BASE_URL, now: await fx.chainNow() },
    fx.merchant.merchantId,
    { price: { amount: "20.00", currency: "USD" }, accepts: [{ chain: "local", token: "USDC" }] },
  );
}

async function scanToConfirmed() {
  await fx.mine(1);
  await fx.scan();
  await fx.mine(2);
  await fx.scan();
}

const get = (id: string) =>
  getPaymentOrThrow({ db: database.db, actor: OPERATOR }, fx.merchant.merchantId, id, BASE_URL);

function resolve(
  paymentId: string,
  input: TResolveUnattributedTransfer,
  actor = OPERATOR as Parameters<typeof resolveUnattributedTransfer>[0]["actor"],
) {
  return resolveUnattributedTransfer(
    { db: database.db, actor, baseUrl: BASE_URL },
    fx.merchant.merchantId,
    paymentId,
    input,
  );
}

function tokenBalance(token: Address, holder: Address) {
  return fx.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [holder],
  });
}

async function sweepOfTransfer(txHash: string, logIndex: number) {
  const transfer = await database.db.transfer.findFirstOrThrow({
    where: { txHash: txHash.toLowerCase(), logIndex },
    select: { sweep: true },
  });
  return transfer.sweep;
}

describe("unattributed transfers, resolved, move", () => {
  it("balance mode: stray ETH is never the USDC sweep's gas; accepted, it is swept to the hot wallet and credited", async () => {
    const hotWallet = await useSettlementMode(database, fx, "balance");
    const payment = await usdcOnlyPayment();
    await fx.sendToken(payment.address, 20_000_000n);
    const stray = await fx.sendEth(payment.address, STRAY_ETH);
    await scanToConfirmed();
    expect((await get(payment.id)).status).toBe("confirmed");

    // The payment's USDC sweep: the gas tank tops up as if the stray ETH were not there.
    const planned = await planSweeps(deps, { paymentId: payment.id });
    expect(planned).toHaveLength(1);
    const usdcSweep = await database.db.sweep.findUniqueOrThrow({ where: { id: planned[0] ?? "" } });
    expect(usdcSweep).toMatchObject({ transferId: null, tokenAddress: MOCK_USDC_ADDRESS });
    await driveSweep(deps, fx, usdcSweep.id);
    const swept = await database.db.sweep.findUniqueOrThrow({ where: { id: usdcSweep.id } });
    expect(swept.status).toBe("confirmed");
    expect(BigInt(swept.gasFundAmount?.toFixed() ?? "0")).toBeGreaterThan(0n);
    expect(await fx.publicClient.getBalance({ address: payment.address as Address })).toBeGreaterThanOrEqual(
      STRAY_ETH,
    );
    expect((await get(payment.id)).status).toBe("settled");

    // Unresolved: nothing plans it.
    expect(await planSweeps(deps)).toEqual([]);
    const resolved = await resolve(payment.id, {
      chain: "local",
      tx_hash: stray.transactionHash,
      log_index: -1,
      resolution: "accepted",
    });
    expect(resolved.unattributed_transfers?.[0]).toMatchObject({ resolution: "accepted", sweep: null });
    // Two planners at once: one sweep for the transfer.
    const [first, second] = await Promise.all([planSweeps(deps), planSweeps(deps)]);
    expect([...(first ?? []), ...(second ?? [])]).toHaveLength(1);
    const sweep = await sweepOfTransfer(stray.transactionHash, -1);
    if (!sweep) throw new Error("the accepted transfer was not planned");
    expect(sweep).toMatchObject({ toAddress: hotWallet, mode: "balance", tokenAddress: null });

    const before = await fx.publicClient.getBalance({ address: hotWallet });
    expect((await driveSweep(deps, fx, sweep.id)).status).toBe("confirmed");
    const done = await database.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
    const net = BigInt(done.amount.toFixed());
    expect(net).toBeGreaterThan(0n);
    expect(net).toBeLessThan(STRAY_ETH);
    expect(await fx.publicClient.getBalance({ address: hotWallet })).toBe(before + net);
    const credits = await database.db.balanceTransaction.findMany({
      where: { paymentId: payment.id, type: "transfer_accepted" },
    });
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ chain: "local", tokenSymbol: "ETH" });
    expect(credits[0]?.amount.toFixed()).toBe(net.toString());
    expect(credits[0]?.gross?.toFixed()).toBe(STRAY_ETH.toString());
    expect(credits[0]?.fee?.toFixed()).toBe((STRAY_ETH - net).toString());
    // The payment's own credit is unchanged: USDC only.
    const settled = await database.db.balanceTransaction.findMany({
      where: { paymentId: payment.id, type: "payment_settled" },
    });
    expect(settled.map((entry) => entry.tokenSymbol)).toEqual(["USDC"]);
    expect((await get(payment.id)).unattributed_transfers?.[0]?.sweep).toMatchObject({
      id: sweep.id,
      status: "confirmed",
      tx_hash: done.txHash,
    });
    // Nothing is planned again, and a second pass of the confirmed sweep credits nothing more.
    expect(await planSweeps(deps)).toEqual([]);
    await advanceSweep(deps, sweep.id);
    expect(
      await database.db.balanceTransaction.count({
        where: { paymentId: payment.id, type: "transfer_accepted" },
      }),
    ).toBe(1);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    await expectChainReconciled(database, fx);
  });

  it("two EURC transfers: one refunded to the payer, one accepted to the treasury, each exactly its amount", async () => {
    const treasury = await useSettlementMode(database, fx, "treasury");
    const refundTo = privateKeyToAddress(generatePrivateKey());
    const payment = await usdcOnlyPayment();
    const refunded = await fx.sendToken(payment.address, 5_000_000n, OTHER_TOKEN_ADDRESS);
    await fx.mine(1);
    const accepted = await fx.sendToken(payment.address, 3_000_000n, OTHER_TOKEN_ADDRESS);
    await fx.scan();
    const seen = (await get(payment.id)).unattributed_transfers ?? [];
    expect(seen).toHaveLength(2);
    const [refundedTransfer, acceptedTransfer] = seen;
    if (!refundedTransfer || !acceptedTransfer) throw new Error("transfers not recorded");
    expect(refundedTransfer.tx_hash).toBe(refunded.transactionHash);
    expect(acceptedTransfer.tx_hash).toBe(accepted.transactionHash);

    // A refund to the payment's own deposit address would come straight back: 422, nothing changes.
    await expect(
      resolve(payment.id, {
        chain: "local",
        tx_hash: refunded.transactionHash,
        log_index: refundedTransfer.log_index,
        resolution: "refunded",
        refund_address: payment.address as Address,
      }),
    ).rejects.toMatchObject({ code: "validation_failed", errors: [{ path: "refund_address" }] });
    // A key that may write payments but not refunds cannot send coins back.
    const writer = apiKeyActor({
      merchantId: fx.merchant.merchantId,
      apiKeyId: "key_test",
      permissions: ["payments:write", "payments:read"],
    });
    await expect(
      resolve(
        payment.id,
        {
          chain: "local",
          tx_hash: refunded.transactionHash,
          log_index: refundedTransfer.log_index,
          resolution: "refunded",
          refund_address: refundTo,
        },
        writer,
      ),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect((await get(payment.id)).unattributed_transfers?.map((t) => t.resolution)).toEqual([null, null]);

    const afterRefund = await resolve(payment.id, {
      chain: "local",
      tx_hash: refunded.transactionHash,
      log_index: refundedTransfer.log_index,
      resolution: "refunded",
      refund_address: refundTo,
    });
    expect(afterRefund.unattributed_transfers?.[0]).toMatchObject({
      resolution: "refunded",
      refund_address: refundTo,
    });
    await resolve(
      payment.id,
      {
        chain: "local",
        tx_hash: accepted.transactionHash,
        log_index: acceptedTransfer.log_index,
        resolution: "accepted",
      },
      writer,
    );
    // The refunded transfer has its 2 confirmations, the accepted one (last block) not yet: only the
    // first is planned.
    expect(await planSweeps(deps)).toHaveLength(1);
    const refundSweep = await sweepOfTransfer(refunded.transactionHash, refundedTransfer.log_index);
    expect(await sweepOfTransfer(accepted.transactionHash, acceptedTransfer.log_index)).toBeNull();
    await scanToConfirmed();
    expect(await planSweeps(deps)).toHaveLength(1);
    const acceptSweep = await sweepOfTransfer(accepted.transactionHash, acceptedTransfer.log_index);
    if (!refundSweep || !acceptSweep) throw new Error("a resolved transfer was not planned");
    expect(refundSweep).toMatchObject({
      toAddress: refundTo,
      tokenAddress: OTHER_TOKEN_ADDRESS,
    });
    expect(acceptSweep).toMatchObject({ toAddress: treasury, mode: "treasury" });

    expect((await driveSweep(deps, fx, refundSweep.id)).status).toBe("confirmed");
    expect(await tokenBalance(OTHER_TOKEN_ADDRESS, refundTo)).toBe(5_000_000n);
    expect(await tokenBalance(OTHER_TOKEN_ADDRESS, payment.address as Address)).toBe(3_000_000n);
    expect((await driveSweep(deps, fx, acceptSweep.id)).status).toBe("confirmed");
    expect(await tokenBalance(OTHER_TOKEN_ADDRESS, treasury)).toBe(3_000_000n);
    expect(await tokenBalance(OTHER_TOKEN_ADDRESS, payment.address as Address)).toBe(0n);
    // The payment never received anything it accepts: still pending, no ledger entry anywhere.
    const after = await get(payment.id);
    expect(after).toMatchObject({ status: "pending", value_received: "0.00" });
    expect(after.unattributed_transfers?.map((t) => t.sweep?.status)).toEqual(["confirmed", "confirmed"]);
    expect(await database.db.balanceTransaction.count({ where: { paymentId: payment.id } })).toBe(0);
    const audited = await database.db.auditLogEntry.findMany({
      where: { targetId: payment.id, action: "payment.unattributed_transfer_resolved" },
      orderBy: { createdAt: "asc" },
    });
    expect(audited.map((entry) => entry.details)).toEqual([
      expect.objectContaining({ resolution: "refunded", refund_address: refundTo }),
      expect.objectContaining({ resolution: "accepted" }),
    ]);
    await expectChainReconciled(database, fx);
  });

  it("a reorg deeper than the confirmations takes an accepted, swept transfer away: its credit is taken back once", async () => {
    await useSettlementMode(database, fx, "balance");
    const payment = await usdcOnlyPayment();
    const snapshot = await fx.testClient.snapshot();
    const stray = await fx.sendEth(payment.address, STRAY_ETH);
    await scanToConfirmed();
    await resolve(payment.id, {
      chain: "local",
      tx_hash: stray.transactionHash,
      log_index: -1,
      resolution: "accepted",
    });
    await planSweeps(deps);
    const sweep = await sweepOfTransfer(stray.transactionHash, -1);
    if (!sweep) throw new Error("the accepted transfer was not planned");
    expect((await driveSweep(deps, fx, sweep.id)).status).toBe("confirmed");
    const [credit] = await database.db.balanceTransaction.findMany({
      where: { paymentId: payment.id, type: "transfer_accepted" },
    });
    if (!credit) throw new Error("no credit");
    const balance = () =>
      database.db.balance.findUniqueOrThrow({
        where: {
          merchantId_chain_tokenSymbol: {
            merchantId: fx.merchant.merchantId,
            chain: "local",
            tokenSymbol: "ETH",
          },
        },
      });
    const before = BigInt((await balance()).available.toFixed());

    // The chain forgets the transfer and the sweep; the scanner walks back over the blocks.
    await fx.testClient.revert({ id: snapshot });
    await fx.mine(30);
    await fx.scan();
    await fx.scan();
    const transfer = await database.db.transfer.findFirstOrThrow({
      where: { txHash: stray.transactionHash.toLowerCase() },
      select: { id: true, status: true },
    });
    expect(transfer.status).toBe("reverted");
    const adjustments = await database.db.balanceTransaction.findMany({
      where: { transferId: transfer.id, type: "adjustment" },
    });
    expect(adjustments).toHaveLength(1);
    expect(adjustments[0]?.amount.toFixed()).toBe(`-${credit.amount.toFixed()}`);
    expect(BigInt((await balance()).available.toFixed())).toBe(before - BigInt(credit.amount.toFixed()));
    // Its sweep left the chain with it: voided, nothing moved.
    const voided = await database.db.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
    expect(voided.status).toBe("failed");
    expect(voided.amount.toFixed()).toBe("0");
    expect(
      await database.db.chainIncident.count({
        where: { paymentId: payment.id, kind: "reorged_after_settlement" },
      }),
    ).toBe(1);
    expect((await get(payment.id)).unattributed_transfers?.[0]).toMatchObject({ status: "reverted" });
    // Scanning again changes nothing: the credit is taken back once.
    await fx.mine(3);
    await fx.scan();
    expect(await database.db.balanceTransaction.count({ where: { transferId: transfer.id } })).toBe(2);
    expect(await findLedgerMismatches(database.db)).toEqual([]);
    await expectChainReconciled(database, fx);
  });

  it("twenty concurrent resolutions of one transfer (keep and send back mixed): one wins, one sweep, one audit entry", async () => {
    await useSettlementMode(database, fx, "treasury");
    const payment = await usdcOnlyPayment();
    const stray = await fx.sendEth(payment.address, STRAY_ETH);
    await scanToConfirmed();
    const refundTo = privateKeyToAddress(generatePrivateKey());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        resolve(
          payment.id,
          index % 2 === 0
            ? { chain: "local", tx_hash: stray.transactionHash, log_index: -1, resolution: "accepted" }
            : {
                chain: "local",
                tx_hash: stray.transactionHash,
                log_index: -1,
                resolution: "refunded",
                refund_address: refundTo,
              },
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: "invalid_state" });
    expect(
      await database.db.auditLogEntry.count({
        where: { targetId: payment.id, action: "payment.unattributed_transfer_resolved" },
      }),
    ).toBe(1);
    await Promise.all([planSweeps(deps), planSweeps(deps), planSweeps(deps)]);
    expect(await database.db.sweep.count({ where: { paymentId: payment.id } })).toBe(1);
  });
});
