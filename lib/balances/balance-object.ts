// The public balance and balance-transaction objects and their serializers. Amounts are exact
// decimal strings in token units next to their base units; the token's decimals come from
// chains.yaml (a token no longer configured is shown in base units, decimals 0).
import { z } from "zod";
import type { TChain } from "../config/chains";
import { formatAmount } from "../money/amounts";
import { resolveToken, toBigInt } from "../payments/payment-object";

const ZTokenRef = z.object({
  symbol: z.string(),
  address: z.string().nullable(),
  decimals: z.number().int(),
});

export const ZBalanceObject = z.object({
  object: z.literal("balance"),
  chain: z.string(),
  token: ZTokenRef,
  available: z.string(),
  available_base_units: z.string(),
  updated_at: z.string(),
});
export type TBalanceObject = z.infer<typeof ZBalanceObject>;

export const BALANCE_TRANSACTION_TYPES = [
  "payment_settled",
  "payout",
  "payout_fee",
  "payout_reversed",
  "refund",
  "adjustment",
  "transfer_accepted",
] as const;

export const ZBalanceTransactionObject = z.object({
  id: z.string(),
  object: z.literal("balance_transaction"),
  type: z.enum(BALANCE_TRANSACTION_TYPES),
  chain: z.string(),
  token: ZTokenRef,
  /** Signed: credits positive, debits negative ("-1.5"). */
  amount: z.string(),
  amount_base_units: z.string(),
  balance_after: z.string(),
  balance_after_base_units: z.string(),
  /**
   * A credit of swept coins (`payment_settled`, `transfer_accepted`) only, else null: what the deposit address sent (`gross`) and
   * what moving it cost (`fee`: a native-coin sweep's gas, a fee-on-transfer token's cut), in the
   * entry's token; `amount` is the net, `gross - fee`.
   */
  gross: z.string().nullable(),
  gross_base_units: z.string().nullable(),
  fee: z.string().nullable(),
  fee_base_units: z.string().nullable(),
  payment_id: z.string().nullable(),
  payout_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: z.string(),
});
export type TBalanceTransactionObject = z.infer<typeof ZBalanceTransactionObject>;

type DecimalLike = { toFixed(): string };

export function tokenRef(chains: TChain[], chainName: string, symbol: string) {
  const chain = chains.find((candidate) => candidate.name === chainName);
  const token = chain ? resolveToken(chain, symbol) : null;
  return token ?? { symbol, address: null, decimals: 0 };
}

export const BALANCE_SELECT = { chain: true, tokenSymbol: true, available: true, updatedAt: true } as const;

export function serializeBalance(
  chains: TChain[],
  row: { chain: string; tokenSymbol: string; available: DecimalLike; updatedAt: Date },
): TBalanceObject {
  const token = tokenRef(chains, row.chain, row.tokenSymbol);
  const available = toBigInt(row.available);
  return {
    object: "balance",
    chain: row.chain,
    token,
    available: formatAmount(available, token.decimals),
    available_base_units: available.toString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const BALANCE_TRANSACTION_SELECT = {
  id: true,
  type: true,
  chain: true,
  tokenSymbol: true,
  amount: true,
  balanceAfter: true,
  gross: true,
  fee: true,
  paymentId: true,
  payoutId: true,
  payout: { select: { paymentId: true } },
  description: true,
  createdAt: true,
} as const;

export function serializeBalanceTransaction(
  chains: TChain[],
  row: {
    id: string;
    type: TBalanceTransactionObject["type"];
    chain: string;
    tokenSymbol: string;
    amount: DecimalLike;
    balanceAfter: DecimalLike;
    gross: DecimalLike | null;
    fee: DecimalLike | null;
    paymentId: string | null;
    payoutId: string | null;
    /** The entry's payout: a refund's entries show the refunded payment. */
    payout: { paymentId: string | null } | null;
    description: string | null;
    createdAt: Date;
  },
): TBalanceTransactionObject {
  const token = tokenRef(chains, row.chain, row.tokenSymbol);
  const amount = toBigInt(row.amount);
  const balanceAfter = toBigInt(row.balanceAfter);
  const gross = row.gross === null ? null : toBigInt(row.gross);
  const fee = row.fee === null ? null : toBigInt(row.fee);
  return {
    id: row.id,
    object: "balance_transaction",
    type: row.type,
    chain: row.chain,
    token,
    amount: formatAmount(amount, token.decimals),
    amount_base_units: amount.toString(),
    balance_after: formatAmount(balanceAfter, token.decimals),
    balance_after_base_units: balanceAfter.toString(),
    gross: gross === null ? null : formatAmount(gross, token.decimals),
    gross_base_units: gross?.toString() ?? null,
    fee: fee === null ? null : formatAmount(fee, token.decimals),
    fee_base_units: fee?.toString() ?? null,
    payment_id: row.paymentId ?? row.payout?.paymentId ?? null,
    payout_id: row.payoutId,
    description: row.description,
    created_at: row.createdAt.toISOString(),
  };
}
