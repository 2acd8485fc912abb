import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR } from "../access/actor";
import { AppError } from "../errors";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { BASE_URL, type ScannerFixture, startScannerFixture } from "../testing/scanner-fixture";
import { expirePayments } from "./expire-payments";
import { extendPaymentExpiry } from "./extend-payment-expiry";
import { ZPaymentObject } from "./payment-object";
import { resolvePayment } from "./resolve-payment";

let database: TestDatabase;
let fx: ScannerFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await startScannerFixture(database);
  await fx.scan();
});
afterAll(async () => {
  await fx?.stop();
  await database?.drop();
});

const usdc = (units: bigint) => units * 10n ** 6n;

/** Mines one block whose timestamp is `seconds` after `date` (the chain's clock moves forward). */
async function mineAt(date: Date, seconds: number) {
  const latest = await fx.chainNow();
  const target = Math.max(
    Math.floor(date.getTime() / 1000) + seconds,
    Math.floor(latest.getTime() / 1000) + 1,
  );
  await fx.testClient.setNextBlockTimestamp({ timestamp: BigInt(target) });
  await fx.mine(1);
}

const expire = () => expirePayments({ db: database.db, chain: fx.chain, baseUrl: BASE_URL });

describe("expiry on chain time", () => {
  it("expires unpaid and underpaid payments once a scanned block is past the expiry", async () => {
    const unpaid = await fx.createPayment({ amount: "1", expiresIn: 60 });
    const underpaid = await fx.createPayment({ token: "USDC", amount: "10", expiresIn: 60 });
    await fx.sendToken(underpaid.address, usdc(4n));
    await fx.scan();
    expect(await expire()).toMatchObject({ expired: 0 });

    await mineAt(new Date(unpaid.expires_at), 5);
    // Not scanned yet: the chain's scanned time has not passed the expiry.
    expect(await expire()).toMatchObject({ expired: 0 });
    await fx.scan();
    await expire();

    expect(await fx.payment(unpaid.id)).toMatchObject({ status: "expired", exception: null });
    const row = await fx.payment(underpaid.id);
    expect(row).toMatchObject({ status: "expired", exception: "underpaid" });
    expect(row.amountReceived.toFixed()).toBe(usdc(4n).toString());
    expect(await fx.eventTypes(underpaid.id)).toEqual(["payment.created", "payment.expired"]);
    expect(row.statusChanges).toContainEqual(
      expect.objectContaining({ fromStatus: "pending", toStatus: "expired", exception: "underpaid" }),
    );
  });

  it("a payment made before the expiry but scanned after it is not expired", async () => {
    const payment = await fx.createPayment({ amount: "1", expiresIn: 60 });
    await fx.sendEth(payment.address, parseEther("1"));
    await mineAt(new Date(payment.expires_at), 30);
    await mineAt(new Date(payment.expires_at), 31);
    // The expiry job runs first: the scanner has not reached the expiry yet, nothing expires.
    await expire();
    expect((await fx.payment(payment.id)).status).toBe("pending");
    await fx.scan();
    await expire();
    const row = await fx.payment(payment.id);
    expect(row).toMatchObject({ status: "confirmed", exception: null });
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.detected",
      "payment.confirmed",
    ]);
  });

  it("a detected payment never expires", async () => {
    const slow = { ...fx.chain, confirmations: 50 };
    const payment = await fx.createPayment({ token: "USDC", amount: "2", expiresIn: 60, chain: slow });
    await fx.sendToken(payment.address, usdc(2n));
    await fx.scan({}, { chain: slow });
    expect((await fx.payment(payment.id)).status).toBe("detected");
    await mineAt(new Date(payment.expires_at), 10);
    await fx.scan({}, { chain: slow });
    await expire();
    expect((await fx.payment(payment.id)).status).toBe("detected");
  });
});

describe("late payments", () => {
  it("a full payment after the expiry is paid_late, and the merchant resolves it to confirmed", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "3", expiresIn: 60 });
    await mineAt(new Date(payment.expires_at), 5);
    await fx.scan();
    await expire();
    expect((await fx.payment(payment.id)).status).toBe("expired");

    // Not resolvable while it is merely expired.
    const early = await resolvePayment(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      BASE_URL,
    ).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(AppError);
    expect((early as AppError).code).toBe("invalid_state");

    await fx.sendToken(payment.address, usdc(3n));
    await fx.scan();
    let row = await fx.payment(payment.id);
    expect(row).toMatchObject({ status: "expired", exception: "paid_late" });
    expect(row.amountReceived.toFixed()).toBe(usdc(3n).toString());
    expect(await fx.eventTypes(payment.id)).toEqual([
      "payment.created",
      "payment.expired",
      "payment.paid_late",
    ]);

    // Resolving waits for the required confirmations.
    const unconfirmed = await resolvePayment(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      BASE_URL,
    ).catch((error: unknown) => error);
    expect((unconfirmed as AppError).code).toBe("invalid_state");
    await fx.mine(2);
    await fx.scan();
    // Another merchant cannot see it.
    const stranger = await createMerchant(database.db, {
      name: "Other shop",
      email: `other-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    const hidden = await resolvePayment(
      { db: database.db, actor: OPERATOR },
      stranger.merchantId,
      payment.id,
      BASE_URL,
    ).catch((error: unknown) => error);
    expect((hidden as AppError).code).toBe("not_found");

    const resolved = ZPaymentObject.parse(
      await resolvePayment(
        { db: database.db, actor: OPERATOR },
        fx.merchant.merchantId,
        payment.id,
        BASE_URL,
      ),
    );
    expect(resolved).toMatchObject({ status: "confirmed", exception: "paid_late", amount_received: "3" });
    row = await fx.payment(payment.id);
    expect(row.statusChanges).toContainEqual(
      expect.objectContaining({
        fromStatus: "expired",
        toStatus: "confirmed",
        reason: "late payment accepted by the merchant",
      }),
    );
    expect((await fx.eventTypes(payment.id)).at(-1)).toBe("payment.confirmed");

    const again = await resolvePayment(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      payment.id,
      BASE_URL,
    ).catch((error: unknown) => error);
    expect((again as AppError).code).toBe("invalid_state");
  });
});

describe("accepting an underpayment as paid", () => {
  const accept = (merchantId: string, id: string) =>
    resolvePayment({ db: database.db, actor: OPERATOR }, merchantId, id, BASE_URL).catch(
      (error: unknown) => error as AppError,
    );

  it("an expired underpaid payment is confirmed for what arrived; a reorg of it sends it back to expired", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "10", expiresIn: 60 });
    const beforeTransfer = await fx.testClient.snapshot();
    await fx.sendToken(payment.address, usdc(4n));
    await fx.scan();
    // Still pending: nothing to accept yet (the payer may still send the rest).
    expect(await accept(fx.merchant.merchantId, payment.id)).toMatchObject({ code: "invalid_state" });
    await mineAt(new Date(payment.expires_at), 5);
    await fx.scan();
    await expire();
    expect(await fx.payment(payment.id)).toMatchObject({ status: "expired", exception: "underpaid" });

    const resolved = ZPaymentObject.parse(await accept(fx.merchant.merchantId, payment.id));
    expect(resolved).toMatchObject({ status: "confirmed", exception: "underpaid", amount_received: "4" });
    let row = await fx.payment(payment.id);
    expect(row.acceptedAmount?.toFixed()).toBe(usdc(4n).toString());
    expect(row.statusChanges).toContainEqual(
      expect.objectContaining({
        fromStatus: "expired",
        toStatus: "confirmed",
        exception: "underpaid",
        reason: "partial payment accepted as paid by the merchant",
      }),
    );
    expect((await fx.eventTypes(payment.id)).at(-1)).toBe("payment.confirmed");
    // Scans after it keep it confirmed; accepting twice is refused.
    await fx.mine(2);
    await fx.scan();
    expect(await fx.payment(payment.id)).toMatchObject({ status: "confirmed", exception: "underpaid" });
    expect(await accept(fx.merchant.merchantId, payment.id)).toMatchObject({ code: "invalid_state" });

    // The chain drops the transfer: the accepted payment is no longer paid at all.
    await fx.testClient.revert({ id: beforeTransfer });
    await mineAt(new Date(payment.expires_at), 60);
    await fx.mine(10);
    await fx.scan();
    row = await fx.payment(payment.id);
    expect(row).toMatchObject({ status: "expired", exception: null, confirmedAt: null });
    expect((await fx.eventTypes(payment.id)).at(-1)).toBe("payment.reverted");
    expect(row.statusChanges).toContainEqual(
      expect.objectContaining({ fromStatus: "confirmed", toStatus: "expired", exception: null }),
    );
  });

  it("an expired payment with nothing received, or another merchant's, cannot be accepted", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "10", expiresIn: 60 });
    await mineAt(new Date(payment.expires_at), 5);
    await fx.scan();
    await expire();
    expect(await fx.payment(payment.id)).toMatchObject({ status: "expired", exception: null });
    expect(await accept(fx.merchant.merchantId, payment.id)).toMatchObject({ code: "invalid_state" });

    const underpaid = await fx.createPayment({ token: "USDC", amount: "10", expiresIn: 60 });
    await fx.sendToken(underpaid.address, usdc(1n));
    await mineAt(new Date(underpaid.expires_at), 5);
    await fx.scan();
    await expire();
    const stranger = await createMerchant(database.db, {
      name: "Another shop",
      email: `another-${Date.now()}@example.com`,
      password: "correct horse battery",
    });
    expect(await accept(stranger.merchantId, underpaid.id)).toMatchObject({ code: "not_found" });
    expect(await fx.payment(underpaid.id)).toMatchObject({ status: "expired", exception: "underpaid" });

    // Twenty accepts at once (a double click, a retried request): one confirms it, the rest are 409s.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => accept(fx.merchant.merchantId, underpaid.id)),
    );
    expect(results.filter((result) => result instanceof AppError).map((error) => error.code)).toEqual(
      Array(19).fill("invalid_state"),
    );
    expect(await fx.payment(underpaid.id)).toMatchObject({ status: "confirmed", exception: "underpaid" });
    expect((await fx.eventTypes(underpaid.id)).filter((type) => type === "payment.confirmed")).toHaveLength(
      1,
    );
  });
});

describe("extending a pending payment's expiry", () => {
  const extend = (merchantId: string, id: string, minutes: number) =>
    extendPaymentExpiry({ db: database.db, actor: OPERATOR, baseUrl: BASE_URL }, merchantId, id, {
      extend_by_minutes: minutes,
    });

  it("a partly paid payment extended past its expiry is paid in full on time, and audited", async () => {
    const payment = await fx.createPayment({ token: "USDC", amount: "10", expiresIn: 60 });
    await fx.sendToken(payment.address, usdc(4n));
    await fx.scan();
    const extended = await extend(fx.merchant.merchantId, payment.id, 15);
    expect(new Date(extended.expires_at).getTime()).toBeGreaterThanOrEqual(
      new Date(payment.expires_at).getTime() + 15 * 60_000,
    );
    // The chain passes the old expiry: the payment stays pending, then the rest arrives in time.
    await mineAt(new Date(payment.expires_at), 5);
    await fx.scan();
    await expire();
    expect((await fx.payment(payment.id)).status).toBe("pending");
    await fx.sendToken(payment.address, usdc(6n));
    await fx.scan();
    expect((await fx.payment(payment.id)).status).toBe("detected");
    await fx.mine(3);
    await fx.scan();
    await expire();
    expect(await fx.payment(payment.id)).toMatchObject({ status: "confirmed", exception: null });
    const audited = await database.db.auditLogEntry.findMany({
      where: { merchantId: fx.merchant.merchantId, action: "payment.expiry_extended", targetId: payment.id },
    });
    expect(audited).toEqual([
      expect.objectContaining({
        details: { from: new Date(payment.expires_at).toISOString(), to: extended.expires_at },
      }),
    ]);

    // Final now: a 409, and nothing changes. Another merchant's id: a 404.
    await expect(extend(fx.merchant.merchantId, payment.id, 15)).rejects.toMatchObject({
      code: "invalid_state",
    });
    await expect(extend("mer_someoneelse0000000000000", payment.id, 15)).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("concurrent extensions add up under the row lock; more than 7 days ahead is refused", async () => {
    const payment = await fx.createPayment({ amount: "1", expiresIn: 3_600 });
    const before = new Date(payment.expires_at).getTime();
    await Promise.all([
      extend(fx.merchant.merchantId, payment.id, 15),
      extend(fx.merchant.merchantId, payment.id, 15),
    ]);
    const row = await fx.payment(payment.id);
    expect(row.expiresAt.getTime()).toBe(before + 30 * 60_000);
    await expect(extend(fx.merchant.merchantId, payment.id, 7 * 24 * 60)).rejects.toMatchObject({
      code: "validation_failed",
    });
    expect((await fx.payment(payment.id)).expiresAt.getTime()).toBe(before + 30 * 60_000);
  });
});
