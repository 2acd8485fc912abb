// The public payout object (DESIGN.md "Balances, payouts and refunds") and its serializer.
import { z } from "zod";
import { tokenRef } from "../balances/balance-object";
import type { TChain } from "../config/chains";
import type { PayoutStatus } from "../db/generated/enums";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";

export const PAYOUT_STATUSES = [
  "pending_approval",
  "approved",
  "sent",
  "confirmed",
  "rejected",
  "failed",
] as const;

export const ZPayoutObject = z.object({
  id: z.string(),
  object: z.literal("payout"),
  status: z.enum(PAYOUT_STATUSES),
  chain: z.string(),
  token: z.object({ symbol: z.string(), address: z.string().nullable(), decimals: z.number().int() }),
  amount: z.string(),
  amount_base_units: z.string(),
  /**
   * What the recipient actually received, read from the confirmed transaction's Transfer logs: less
   * than `amount` for a token that takes a fee on transfer. Null until confirmed.
   */
  amount_received: z.string().nullable(),
  amount_received_base_units: z.string().nullable(),
  /** Network fee paid in the chain's native coin, debited from its balance as `payout_fee`. */
  fee: z.string(),
  fee_base_units: z.string(),
  address: z.string(),
  from_address: z.string().nullable(),
  tx_hash: z.string().nullable(),
  /** Set for refunds: the refunded payment. */
  payment_id: z.string().nullable(),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  last_error: z.string().nullable(),
  created_at: z.string(),
  /**
   * Who approved or rejected it: an API key with `payouts:approve`, the owner in the dashboard, or
   * automatic approval below the merchant's threshold, or the operator (admin CLI). Null while pending approval.
   */
  reviewed_by: z
    .object({ type: z.enum(["api_key", "user", "operator", "auto_approval"]), id: z.string().nullable() })
    .nullable(),
  approved_at: z.string().nullable(),
  sent_at: z.string().nullable(),
  confirmed_at: z.string().nullable(),
});
export type TPayoutObject = z.infer<typeof ZPayoutObject>;

export const PAYOUT_SELECT = {
  id: true,
  status: true,
  chain: true,
  tokenSymbol: true,
  amount: true,
  amountReceived: true,
  fee: true,
  toAddress: true,
  fromAddress: true,
  txHash: true,
  paymentId: true,
  description: true,
  metadata: true,
  lastError: true,
  createdAt: true,
  reviewedBy: true,
  approvedAt: true,
  sentAt: true,
  confirmedAt: true,
} as const;

type DecimalLike = { toFixed(): string };

export type PayoutRow = {
  id: string;
  status: PayoutStatus;
  chain: string;
  tokenSymbol: string;
  amount: DecimalLike;
  amountReceived: DecimalLike | null;
  fee: DecimalLike;
  toAddress: string;
  fromAddress: string | null;
  txHash: string | null;
  paymentId: string | null;
  description: string | null;
  metadata: unknown;
  lastError: string | null;
  createdAt: Date;
  reviewedBy: string | null;
  approvedAt: Date | null;
  sentAt: Date | null;
  confirmedAt: Date | null;
};

export function serializePayout(chains: TChain[], row: PayoutRow): TPayoutObject {
  const token = tokenRef(chains, row.chain, row.tokenSymbol);
  const chain = chains.find((candidate) => candidate.name === row.chain);
  const nativeDecimals = chain?.nativeCurrency.decimals ?? 18;
  const amount = toBigInt(row.amount);
  const received = row.amountReceived === null ? null : toBigInt(row.amountReceived);
  const fee = toBigInt(row.fee);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    object: "payout",
    status: row.status,
    chain: row.chain,
    token,
    amount: formatAmount(amount, token.decimals),
    amount_base_units: amount.toString(),
    amount_received: received === null ? null : formatAmount(received, token.decimals),
    amount_received_base_units: received?.toString() ?? null,
    fee: formatAmount(fee, nativeDecimals),
    fee_base_units: fee.toString(),
    address: row.toAddress,
    from_address: row.fromAddress,
    tx_hash: row.txHash,
    payment_id: row.paymentId,
    description: row.description,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    reviewed_by: reviewerOf(row.reviewedBy),
    approved_at: iso(row.approvedAt),
    sent_at: iso(row.sentAt),
    confirmed_at: iso(row.confirmedAt),
  };
}

/** What `reviewed_by` stores (`key_…`, `usr_…`, `auto`) as the public reviewer object. */
function reviewerOf(reviewedBy: string | null): TPayoutObject["reviewed_by"] {
  if (reviewedBy === null) return null;
  if (reviewedBy === AUTO_APPROVAL) return { type: "auto_approval", id: null };
  if (reviewedBy === OPERATOR_REVIEW) return { type: "operator", id: null };
  return { type: reviewedBy.startsWith("usr_") ? "user" : "api_key", id: reviewedBy };
}

/** `reviewed_by` of a payout approved at creation, below the merchant's auto-approve threshold. */
export const AUTO_APPROVAL = "auto";
/** `reviewed_by` of a payout the operator approved or rejected with the admin CLI. */
export const OPERATOR_REVIEW = "operator";
