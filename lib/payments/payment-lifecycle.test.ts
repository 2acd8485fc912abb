// The lifecycle rule's full table: every status (with its exceptions) × every state of the chain
// (what a scan, a confirmation, an expiry, a shallow reorg or a deep revert leaves), then properties
// over random payments and transfers (fast-check).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CreditedTransfer, type LockedPayment, nextPaymentState } from "./payment-lifecycle";
import type { TPaymentObject } from "./payment-object";

type Status = TPaymentObject["status"];
type Exception = TPaymentObject["exception"];

const EXPIRES = new Date("2026-12-01T12:00:00Z");
const ON_TIME = new Date(EXPIRES.getTime() - 600_000);
const LATE = new Date(EXPIRES.getTime() + 600_000);
const AFTER_EXPIRY = new Date(EXPIRES.getTime() + 3_600_000);

function payment(status: Status, exception: Exception = null): LockedPayment {
  return {
    id: "pay_1",
    merchant_id: "mer_1",
    status,
    exception,
    amount: "100",
    required_confirmations: 2,
    expires_at: EXPIRES,
  };
}
const unconfirmed = (amount: bigint, at = ON_TIME): CreditedTransfer => ({
  amount,
  blockTimestamp: at,
  confirmations: 0,
  status: "confirming",
});
const confirmed = (amount: bigint, at = ON_TIME): CreditedTransfer => ({
  amount,
  blockTimestamp: at,
  confirmations: 2,
  status: "confirmed",
});

/** What the canonical chain holds for the payment after the event (its non-reverted transfers). */
const CHAIN = {
  /** Nothing, or every transfer reverted (a reorg, as deep as it may be). */
  none: [],
  partial: [unconfirmed(50n)],
  full_unconfirmed: [unconfirmed(100n)],
  full_confirmed: [confirmed(100n)],
  over_confirmed: [confirmed(100n), confirmed(50n)],
  late_confirmed: [confirmed(100n, LATE)],
} satisfies Record<string, CreditedTransfer[]>;
type ChainState = keyof typeof CHAIN;

const STATUSES: [Status, Exception][] = [
  ["pending", null],
  ["detected", null],
  ["detected", "overpaid"],
  ["confirmed", null],
  ["confirmed", "overpaid"],
  ["confirmed", "paid_late"],
  ["settled", null],
  ["settled", "reorged_after_settlement"],
  ["expired", null],
  ["expired", "underpaid"],
  ["expired", "paid_late"],
  ["canceled", null],
];

// status/exception → chain state → "status/exception event,event" (chain time before the expiry).
const D = "payment.detected";
const C = "payment.confirmed";
const R = "payment.reverted";
const L = "payment.paid_late";
const X = "payment.expired";
const TABLE: Record<string, Record<ChainState, string>> = {
  "pending/null": {
    none: "pending/null",
    partial: "pending/null",
    full_unconfirmed: `detected/null ${D}`,
    full_confirmed: `confirmed/null ${D},${C}`,
    over_confirmed: `confirmed/overpaid ${D},${C}`,
    late_confirmed: `expired/paid_late ${L}`,
  },
  "detected/null": {
    none: `pending/null ${R}`,
    partial: `pending/null ${R}`,
    full_unconfirmed: "detected/null",
    full_confirmed: `confirmed/null ${C}`,
    over_confirmed: `confirmed/overpaid ${C}`,
    late_confirmed: `confirmed/null ${C}`,
  },
  // An overpaid detected payment reads the chain the same way.
  get "detected/overpaid"() {
    return this["detected/null"] as Record<ChainState, string>;
  },
  // Deep reverts: confirmed is not final.
  "confirmed/null": {
    none: `pending/null ${R}`,
    partial: `pending/null ${R}`,
    full_unconfirmed: `detected/null ${R}`,
    full_confirmed: "confirmed/null",
    over_confirmed: "confirmed/overpaid",
    late_confirmed: "confirmed/null",
  },
  get "confirmed/overpaid"() {
    return this["confirmed/null"] as Record<ChainState, string>;
  },
  "confirmed/paid_late": {
    none: `expired/null ${R}`,
    partial: `expired/underpaid ${R}`,
    full_unconfirmed: `detected/null ${R},${D}`,
    full_confirmed: "confirmed/paid_late",
    over_confirmed: "confirmed/paid_late",
    late_confirmed: "confirmed/paid_late",
  },
  "settled/null": {
    none: `settled/reorged_after_settlement ${R}`,
    partial: `settled/reorged_after_settlement ${R}`,
    full_unconfirmed: "settled/null",
    full_confirmed: "settled/null",
    over_confirmed: "settled/null",
    late_confirmed: "settled/null",
  },
  "settled/reorged_after_settlement": {
    none: "settled/reorged_after_settlement",
    partial: "settled/reorged_after_settlement",
    full_unconfirmed: "settled/reorged_after_settlement",
    full_confirmed: "settled/reorged_after_settlement",
    over_confirmed: "settled/reorged_after_settlement",
    late_confirmed: "settled/reorged_after_settlement",
  },
  "expired/null": {
    none: "expired/null",
    partial: "expired/underpaid",
    full_unconfirmed: `detected/null ${D}`,
    full_confirmed: `confirmed/null ${D},${C}`,
    over_confirmed: `confirmed/overpaid ${D},${C}`,
    late_confirmed: `expired/paid_late ${L}`,
  },
  get "expired/underpaid"() {
    return this["expired/null"] as Record<ChainState, string>;
  },
  "expired/paid_late": {
    none: `expired/null ${R}`,
    partial: `expired/underpaid ${R}`,
    full_unconfirmed: `detected/null ${D}`,
    full_confirmed: `confirmed/null ${D},${C}`,
    over_confirmed: `confirmed/overpaid ${D},${C}`,
    late_confirmed: "expired/paid_late",
  },
  "canceled/null": {
    none: "canceled/null",
    partial: "canceled/null",
    full_unconfirmed: "canceled/null",
    full_confirmed: "canceled/null",
    over_confirmed: "canceled/null",
    late_confirmed: "canceled/null",
  },
};

// The same once the chain's scanned time has passed the expiry, where it changes anything.
const AFTER_EXPIRY_TABLE: Record<string, Partial<Record<ChainState, string>>> = {
  "pending/null": { none: `expired/null ${X}`, partial: `expired/underpaid ${X}` },
  "detected/null": { none: `expired/null ${R},${X}`, partial: `expired/underpaid ${R},${X}` },
  "detected/overpaid": { none: `expired/null ${R},${X}`, partial: `expired/underpaid ${R},${X}` },
  "confirmed/null": { none: `expired/null ${R},${X}`, partial: `expired/underpaid ${R},${X}` },
  "confirmed/overpaid": { none: `expired/null ${R},${X}`, partial: `expired/underpaid ${R},${X}` },
};

function run(locked: LockedPayment, transfers: readonly CreditedTransfer[], chainTime: Date | null) {
  const state = nextPaymentState(locked, transfers, { chainTime, reason: "test" });
  const events = state.transitions.map((t) => t.event).join(",");
  return `${state.status}/${state.exception}${events ? ` ${events}` : ""}`;
}

describe("nextPaymentState: the full table", () => {
  const rows = STATUSES.flatMap(([status, exception]) =>
    (Object.keys(CHAIN) as ChainState[]).map((chain) => ({ status, exception, chain })),
  );
  it.each(rows)("$status/$exception × chain $chain (before the expiry)", ({ status, exception, chain }) => {
    expect(run(payment(status, exception), CHAIN[chain], null)).toBe(
      TABLE[`${status}/${exception}`]?.[chain],
    );
  });
  it.each(rows)("$status/$exception × chain $chain (after the expiry)", ({ status, exception, chain }) => {
    const key = `${status}/${exception}`;
    const expected = AFTER_EXPIRY_TABLE[key]?.[chain] ?? TABLE[key]?.[chain];
    expect(run(payment(status, exception), CHAIN[chain], AFTER_EXPIRY)).toBe(expected);
  });
});

/** Every edge the lifecycle may take, with its event. */
const EDGES = new Set([
  "pending→detected payment.detected",
  "expired→detected payment.detected",
  "detected→confirmed payment.confirmed",
  "detected→pending payment.reverted",
  "pending→expired payment.expired",
  "pending→expired payment.paid_late",
  "expired→expired payment.paid_late",
  "expired→expired payment.reverted",
  "confirmed→pending payment.reverted",
  "confirmed→detected payment.reverted",
  "confirmed→expired payment.reverted",
  "settled→settled payment.reverted",
]);

const arbStatus = fc.constantFrom(...STATUSES);
const transferFields = {
  amount: fc.bigInt({ min: 1n, max: 300n }),
  blockTimestamp: fc.constantFrom(ON_TIME, LATE),
  confirmations: fc.integer({ min: 0, max: 4 }),
  status: fc.constantFrom("confirming" as const, "confirmed" as const),
};
const arbTransfer = fc.record(transferFields);
const arbTransfers = fc.array(arbTransfer, { maxLength: 4 });
const arbChainTime = fc.constantFrom(null, ON_TIME, AFTER_EXPIRY);

describe("nextPaymentState: properties", () => {
  it("every transition is an edge of the lifecycle, chained from the payment's status", () => {
    fc.assert(
      fc.property(arbStatus, arbTransfers, arbChainTime, ([status, exception], transfers, chainTime) => {
        const state = nextPaymentState(payment(status, exception), transfers, { chainTime, reason: "p" });
        let current = status;
        for (const transition of state.transitions) {
          expect(EDGES).toContain(`${current}→${transition.to} ${transition.event}`);
          current = transition.to;
        }
        expect(state.status).toBe(current);
      }),
    );
  });

  it("the result agrees with the chain: amount received, and each status's condition", () => {
    fc.assert(
      fc.property(arbStatus, arbTransfers, arbChainTime, ([status, exception], transfers, chainTime) => {
        const state = nextPaymentState(payment(status, exception), transfers, { chainTime, reason: "p" });
        const received = transfers.reduce((sum, t) => sum + t.amount, 0n);
        const covered = transfers
          .filter((t) => t.status === "confirmed" || t.confirmations >= 2)
          .reduce((sum, t) => sum + t.amount, 0n);
        expect(state.received).toBe(received);
        if (state.status === "pending") expect(received).toBeLessThan(100n);
        if (state.status === "detected") expect(received).toBeGreaterThanOrEqual(100n);
        // Never confirmed without the confirmed funds on the chain (unless it stays canceled/settled).
        if (state.status === "confirmed") expect(covered).toBeGreaterThanOrEqual(100n);
        if (state.status === "settled" && received < 100n)
          expect(state.exception).toBe("reorged_after_settlement");
        if (state.status === "canceled") expect(state.transitions).toEqual([]);
        if (state.exception === "overpaid") expect(received).toBeGreaterThan(100n);
      }),
    );
  });

  it("is a fixed point: applied again to its result, nothing more happens", () => {
    fc.assert(
      fc.property(arbStatus, arbTransfers, arbChainTime, ([status, exception], transfers, chainTime) => {
        const params = { chainTime, reason: "p" };
        const first = nextPaymentState(payment(status, exception), transfers, params);
        const second = nextPaymentState(payment(first.status, first.exception), transfers, params);
        expect(second.transitions).toEqual([]);
        expect([second.status, second.exception]).toEqual([first.status, first.exception]);
      }),
    );
  });

  it("a deep revert of a confirmed payment always sends payment.reverted first, whatever is left", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Exception>(null, "overpaid", "paid_late"),
        fc.array(fc.record({ ...transferFields, status: fc.constant("confirming" as const) }), {
          maxLength: 3,
        }),
        arbChainTime,
        (exception, left, chainTime) => {
          // What is left has fewer confirmations than required (a reorg re-included it, or nothing).
          const transfers = left.map((t) => ({ ...t, confirmations: Math.min(t.confirmations, 1) }));
          const state = nextPaymentState(payment("confirmed", exception), transfers, {
            chainTime,
            reason: "p",
          });
          expect(state.transitions[0]?.event).toBe("payment.reverted");
          expect(state.status).not.toBe("confirmed");
        },
      ),
    );
  });

  it("a settled payment is never moved, and flagged once when its funds leave the chain", () => {
    fc.assert(
      fc.property(arbTransfers, arbChainTime, (transfers, chainTime) => {
        const params = { chainTime, reason: "p" };
        const state = nextPaymentState(payment("settled"), transfers, params);
        expect(state.status).toBe("settled");
        const lost = transfers.reduce((sum, t) => sum + t.amount, 0n) < 100n;
        expect(state.transitions.map((t) => t.event)).toEqual(lost ? ["payment.reverted"] : []);
      }),
    );
  });
});

describe("a transfer judged by its own chain's rule (a fiat option on another chain)", () => {
  const params = { chainTime: ON_TIME, reason: "scan" };
  const onSlowChain = (status: CreditedTransfer["status"]): CreditedTransfer => ({
    amount: 100n,
    blockTimestamp: ON_TIME,
    // More confirmations than the payment's own count, fewer than its chain needs.
    confirmations: 5,
    status,
    ownChainRule: true,
  });

  it("is not confirmed by the payment's count, only by its chain's status", () => {
    expect(nextPaymentState(payment("pending"), [onSlowChain("confirming")], params).status).toBe("detected");
    const done = nextPaymentState(payment("detected"), [onSlowChain("confirmed")], params);
    expect(done.status).toBe("confirmed");
    expect(done.transitions.map((t) => t.reason)).toEqual(["scan: every transfer confirmed on its chain"]);
    // The same transfer without the rule: the payment's count (2) confirms it.
    const counted = { ...onSlowChain("confirming"), ownChainRule: false };
    expect(nextPaymentState(payment("detected"), [counted], params).status).toBe("confirmed");
  });
});

describe("an underpayment the merchant accepted (confirmed, underpaid, accepted_amount 50)", () => {
  const accepted = (status: Status): LockedPayment => ({
    ...payment(status, "underpaid"),
    accepted_amount: "50",
  });
  it.each([
    ["the accepted amount confirmed", [confirmed(50n)], "confirmed/underpaid"],
    ["more than accepted, short of the amount", [confirmed(50n), confirmed(20n)], "confirmed/underpaid"],
    ["part of it reorged away", [confirmed(30n)], `expired/underpaid ${R}`],
    ["all of it reorged away", [], `expired/null ${R}`],
    // Back on the chain with too few confirmations: reverted, and judged as the expired payment it is.
    ["re-included unconfirmed", [unconfirmed(50n)], `expired/underpaid ${R}`],
    ["re-included in full on time", [unconfirmed(100n)], `detected/null ${R},${D}`],
    ["topped up to the full amount", [confirmed(50n), confirmed(50n)], "confirmed/null"],
    ["topped up beyond it", [confirmed(50n), confirmed(80n)], "confirmed/overpaid"],
  ] as const)("confirmed: %s → %s", (_, transfers, expected) => {
    expect(run(accepted("confirmed"), transfers, AFTER_EXPIRY)).toBe(expected);
  });
  it.each([
    ["the accepted amount on the chain", [confirmed(50n)], "settled/underpaid"],
    ["part of it reorged away", [confirmed(30n)], `settled/reorged_after_settlement ${R}`],
  ] as const)("settled: %s → %s", (_, transfers, expected) => {
    expect(run(accepted("settled"), transfers, AFTER_EXPIRY)).toBe(expected);
  });
  it("is a fixed point and takes only lifecycle edges", () => {
    fc.assert(
      fc.property(arbTransfers, arbChainTime, (transfers, chainTime) => {
        const params = { chainTime, reason: "p" };
        const first = nextPaymentState(accepted("confirmed"), transfers, params);
        let current: Status = "confirmed";
        for (const transition of first.transitions) {
          expect(EDGES).toContain(`${current}→${transition.to} ${transition.event}`);
          current = transition.to;
        }
        const again = { ...payment(first.status, first.exception), accepted_amount: "50" };
        expect(nextPaymentState(again, transfers, params).transitions).toEqual([]);
        if (first.status === "confirmed") {
          const covered = transfers
            .filter((t) => t.status === "confirmed" || t.confirmations >= 2)
            .reduce((sum, t) => sum + t.amount, 0n);
          expect(covered).toBeGreaterThanOrEqual(50n);
        }
      }),
    );
  });
});
