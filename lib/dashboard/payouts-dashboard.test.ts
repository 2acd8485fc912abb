// The dashboard's balances, payouts and refunds helpers: the refund panel of a payment page against
// a real database and real ETH swept on Anvil (its rules mirror refundPayment's), the payout
// timeline, the list filters read from a page URL, and the form schemas in front of the services.

import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR, userActor } from "../access/actor";
import { ZListBalanceTransactionsQuery } from "../balances/list-balance-transactions";
import { AppError } from "../errors";
import { getPaymentOrThrow } from "../payments/get-payment";
import type { TPayoutObject } from "../payouts/payout-object";
import { refundPayment } from "../payouts/refund-payment";
import { rejectPayout } from "../payouts/review-payout";
import { advanceSweep } from "../settlement/advance-sweep";
import { planSweeps } from "../settlement/plan-sweeps";
import { setTreasurySetting } from "../settlement/set-treasury-setting";
import { withWrongChecksum } from "../testing/addresses";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { createSettlementFixture, type SettlementFixture } from "../testing/settlement-fixture";
import { actionErrorsOf, submittedValues } from "./form-errors";
import { getPaymentRefunds } from "./get-payment-refunds";
import { firstPageHref, nextPageHref, parseListQuery } from "./list-query";
import { ZNewPayoutForm, ZPayoutLimitsForm, ZRefundForm } from "./payout-form";
import { payoutTimeline } from "./payout-timeline";

let database: TestDatabase;
let fx: SettlementFixture;
beforeAll(async () => {
  database = await createTestDatabase();
  fx = await createSettlementFixture(database.db);
});
afterAll(() => database.drop());

const deps = () => ({ db: database.db, chains: [fx.chain] });
const refundsOf = async (paymentId: string) =>
  getPaymentRefunds(
    { ...deps(), actor: OPERATOR },
    fx.merchant.merchantId,
    await getPaymentOrThrow(
      { db: database.db, actor: OPERATOR },
      fx.merchant.merchantId,
      paymentId,
      "http://pay.test",
    ),
  );

async function sweepAll() {
  for (const sweepId of await planSweeps(fx.deps)) {
    for (let run = 0; run < 12; run++) {
      if ((await advanceSweep(fx.deps, sweepId)).status === "confirmed") break;
      await fx.mine();
    }
  }
}

describe("getPaymentRefunds", () => {
  it("offers a refund only where refundPayment accepts one, and tracks what is left to refund", async () => {
    // Treasury mode (the fixture's default): the explanation instead of a form, like the API's 409.
    const inTreasury = await fx.createConfirmedPayment({ amount: "0.01" });
    expect((await refundsOf(inTreasury.id)).refusal?.reason).toBe("treasury_mode");
    const refuse = await refundPayment(
      { ...deps(), actor: OPERATOR },
      fx.merchant.merchantId,
      inTreasury.id,
      {
        address: privateKeyToAddress(generatePrivateKey()),
      },
    ).catch((error: unknown) => error);
    expect(refuse).toMatchObject({ code: "invalid_state" });

    // Balance mode, confirmed but not yet swept into the balance: not yet.
    await setTreasurySetting({ ...deps(), actor: OPERATOR }, fx.merchant.merchantId, {
      chain: "local",
      mode: "balance",
    });
    const over = await fx.createConfirmedPayment({ amount: "0.02", pay: parseEther("0.03") });
    const before = await refundsOf(over.id);
    expect(before.refusal?.reason).toBe("not_settled");
    expect(before.coins).toEqual([]);

    // Settled into the balance: everything received is refundable, the overpaid part is offered.
    await sweepAll();
    const settled = await refundsOf(over.id);
    expect(settled.refusal).toBeNull();
    expect(settled.coins).toEqual([{ chain: "local", symbol: "ETH", refundable: "0.03", overpaid: "0.01" }]);

    const customer = privateKeyToAddress(generatePrivateKey());
    const refund = await refundPayment({ ...deps(), actor: OPERATOR }, fx.merchant.merchantId, over.id, {
      address: customer,
      amount: "0.01",
    });
    const partly = await refundsOf(over.id);
    expect(partly.refunds.map((entry) => entry.id)).toEqual([refund.id]);
    expect(partly.coins[0]?.refundable).toBe("0.02");

    // A rejected refund gives its amount back to what can be refunded.
    await rejectPayout(
      {
        ...deps(),
        actor: userActor({ merchantId: fx.merchant.merchantId, userId: fx.merchant.userId, role: "owner" }),
      },
      fx.merchant.merchantId,
      refund.id,
    );
    expect((await refundsOf(over.id)).coins[0]?.refundable).toBe("0.03");
  });
});

function payout(overrides: Partial<TPayoutObject>): TPayoutObject {
  return {
    id: "po_0000000000000000000000",
    object: "payout",
    status: "pending_approval",
    chain: "local",
    token: { symbol: "ETH", address: null, decimals: 18 },
    amount: "1",
    amount_base_units: "1000000000000000000",
    amount_received: null,
    amount_received_base_units: null,
    fee: "0",
    fee_base_units: "0",
    address: privateKeyToAddress(generatePrivateKey()),
    from_address: null,
    tx_hash: null,
    payment_id: null,
    description: null,
    metadata: {},
    last_error: null,
    created_at: "2026-01-01T00:00:00.000Z",
    approved_at: null,
    sent_at: null,
    confirmed_at: null,
    reviewed_by: null,
    ...overrides,
  };
}

describe("payoutTimeline", () => {
  const states = (value: TPayoutObject) => payoutTimeline(value).map((step) => `${step.label}:${step.state}`);

  it("shows where a payout is on its way to confirmed", () => {
    expect(states(payout({}))).toEqual([
      "Created:done",
      "Approved:current",
      "Sent:upcoming",
      "Confirmed:upcoming",
    ]);
    const at = "2026-01-01T00:01:00.000Z";
    expect(states(payout({ status: "sent", approved_at: at, sent_at: at }))).toEqual([
      "Created:done",
      "Approved:done",
      "Sent:done",
      "Confirmed:current",
    ]);
    expect(states(payout({ status: "confirmed", approved_at: at, sent_at: at, confirmed_at: at }))).toEqual([
      "Created:done",
      "Approved:done",
      "Sent:done",
      "Confirmed:done",
    ]);
  });

  it("ends with the rejection or failure and its reason", () => {
    const rejected = payoutTimeline(payout({ status: "rejected", last_error: "rejected by the merchant" }));
    expect(rejected.map((step) => step.label)).toEqual(["Created", "Rejected"]);
    expect(rejected.at(-1)).toMatchObject({ state: "failed", detail: "rejected by the merchant" });
    const failed = payoutTimeline(
      payout({ status: "failed", approved_at: "2026-01-01T00:01:00.000Z", last_error: "execution reverted" }),
    );
    expect(failed.map((step) => `${step.label}:${step.state}`)).toEqual([
      "Created:done",
      "Approved:done",
      "Sent:upcoming",
      "Failed:failed",
    ]);
  });
});

describe("parseListQuery", () => {
  const keys = ["chain", "token", "type", "starting_after"] as const;

  it("reads only the page's filters, drops empty ones and builds the page links", () => {
    const { query, filters } = parseListQuery(
      ZListBalanceTransactionsQuery,
      { chain: "local", token: "", type: "payout_fee", limit: "100", other: "x", starting_after: ["a", "b"] },
      keys,
    );
    expect(query).toEqual({ limit: 20, chain: "local", type: "payout_fee" });
    expect(filters.toString()).toBe("chain=local&type=payout_fee");
    expect(nextPageHref("/dashboard/balances", filters, "btx_1")).toBe(
      "/dashboard/balances?chain=local&type=payout_fee&starting_after=btx_1",
    );
    expect(nextPageHref("/dashboard/balances", filters, null)).toBeNull();
    const second = new URLSearchParams("type=refund&starting_after=btx_1");
    expect(firstPageHref("/dashboard/balances", second)).toBe("/dashboard/balances?type=refund");
    expect(firstPageHref("/dashboard/balances", new URLSearchParams())).toBe("/dashboard/balances");
  });

  it("shows the unfiltered first page for a URL that does not parse", () => {
    const { query, filters } = parseListQuery(ZListBalanceTransactionsQuery, { type: "bogus" }, keys);
    expect(query).toEqual({ limit: 20 });
    expect(filters.toString()).toBe("");
  });
});

describe("form schemas", () => {
  const address = privateKeyToAddress(generatePrivateKey());

  it("turns the payout form's strings into the createPayout input, with the service's messages", () => {
    expect(
      ZNewPayoutForm.parse({
        chain: "local",
        token: "ETH",
        amount: " 0.5 ",
        address: ` ${address}`,
        description: "",
      }),
    ).toEqual({ chain: "local", token: "ETH", amount: "0.5", address, description: null });
    // No checksum: taken only with its last 4 characters typed again, then normalized to EIP-55.
    const unconfirmed = ZNewPayoutForm.safeParse({
      chain: "local",
      token: "ETH",
      amount: "1",
      address: address.toLowerCase(),
    });
    expect(unconfirmed.error?.issues.map((issue) => issue.path.join("."))).toEqual(["address_confirm"]);
    expect(
      ZNewPayoutForm.parse({
        chain: "local",
        token: "ETH",
        amount: "1",
        address: address.toLowerCase(),
        address_confirm: address.slice(-4).toUpperCase(),
      }),
    ).toMatchObject({ address });
    const mistyped = ZNewPayoutForm.safeParse({
      chain: "local",
      token: "ETH",
      amount: "1",
      address: withWrongChecksum(address),
    });
    expect(mistyped.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["address", expect.stringMatching(/does not match its checksum/)],
    ]);
  });

  it("refunds everything left when no amount is given", () => {
    expect(ZRefundForm.parse({ address, amount: "", description: "" })).toEqual({ address });
    expect(ZRefundForm.parse({ address, amount: "0.01" })).toEqual({ address, amount: "0.01" });
  });

  it("reads empty limit fields as no limit", () => {
    expect(
      ZPayoutLimitsForm.parse({
        chain: "local",
        token: "USDC",
        max_per_payout: "100",
        max_per_day: "",
        auto_approve_below: " ",
      }),
    ).toEqual({
      chain: "local",
      token: "USDC",
      max_per_payout: "100",
      max_per_day: null,
      auto_approve_below: null,
    });
  });

  it("shows a service's refusal as the form's error and keeps what was typed", () => {
    const refusal = new AppError("invalid_state", "local is not in balance settlement mode");
    expect(actionErrorsOf(refusal)).toEqual({
      error: "local is not in balance settlement mode",
      fieldErrors: {},
    });
    expect(actionErrorsOf(new AppError("not_found", "No such payout"))).toBeNull();
    expect(actionErrorsOf(new Error("database down"))).toBeNull();
    const form = new FormData();
    form.set("$ACTION_ID_abc", "");
    form.set("amount", "0.5");
    form.set("file", new Blob(["x"]));
    expect(submittedValues(form)).toEqual({ amount: "0.5" });
  });
});
