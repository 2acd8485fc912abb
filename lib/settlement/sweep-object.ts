import { z } from "zod";
import { formatAmount } from "../money/amounts";
import { toBigInt } from "../payments/payment-object";

/** A payment's sweep as the dashboard (and a future API) shows it: amounts as exact decimal strings. */
export const ZSweepObject = z.object({
  id: z.string(),
  object: z.literal("sweep"),
  payment_id: z.string(),
  chain: z.string(),
  status: z.enum(["pending", "funding_gas", "gas_funded", "transferring", "confirmed", "failed"]),
  from: z.string(),
  to: z.string(),
  mode: z.enum(["treasury", "balance"]),
  token: z.object({ symbol: z.string(), decimals: z.number().int() }),
  amount: z.string(),
  amount_base_units: z.string(),
  /** ERC-20 sweeps: the gas top-up from the gas tank (native coin). */
  gas_fund_amount: z.string().nullable(),
  gas_fund_tx_hash: z.string().nullable(),
  tx_hash: z.string().nullable(),
  /** Gas paid for the sweep (top-up + transfer), in the chain's native coin. */
  fee: z.string(),
  fee_base_units: z.string(),
  native_symbol: z.string(),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  confirmed_at: z.string().nullable(),
});
export type TSweepObject = z.infer<typeof ZSweepObject>;

type DecimalLike = { toFixed(): string };

export const SWEEP_OBJECT_SELECT = {
  id: true,
  paymentId: true,
  chain: true,
  tokenAddress: true,
  status: true,
  fromAddress: true,
  toAddress: true,
  mode: true,
  amount: true,
  gasFundAmount: true,
  gasFundTxHash: true,
  txHash: true,
  fee: true,
  attempts: true,
  lastError: true,
  createdAt: true,
  confirmedAt: true,
  payment: { select: { chain: true, tokenAddress: true, tokenSymbol: true, tokenDecimals: true } },
} as const;

export type SweepObjectRow = {
  id: string;
  paymentId: string;
  chain: string;
  tokenAddress: string | null;
  status: TSweepObject["status"];
  fromAddress: string;
  toAddress: string;
  mode: TSweepObject["mode"];
  amount: DecimalLike;
  gasFundAmount: DecimalLike | null;
  gasFundTxHash: string | null;
  txHash: string | null;
  fee: DecimalLike;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  payment: { chain: string; tokenAddress: string | null; tokenSymbol: string; tokenDecimals: number };
};

export function serializeSweep(
  row: SweepObjectRow,
  nativeCurrency: { symbol: string; decimals: number },
  /** The coin swept (a payment paid in several coins has a sweep per coin); default: the payment's. */
  token: { symbol: string; decimals: number } = {
    symbol: row.payment.tokenSymbol,
    decimals: row.payment.tokenDecimals,
  },
): TSweepObject {
  const amount = toBigInt(row.amount);
  const fee = toBigInt(row.fee);
  return {
    id: row.id,
    object: "sweep",
    payment_id: row.paymentId,
    chain: row.chain,
    status: row.status,
    from: row.fromAddress,
    to: row.toAddress,
    mode: row.mode,
    token,
    amount: formatAmount(amount, token.decimals),
    amount_base_units: amount.toString(),
    gas_fund_amount: row.gasFundAmount
      ? formatAmount(toBigInt(row.gasFundAmount), nativeCurrency.decimals)
      : null,
    gas_fund_tx_hash: row.gasFundTxHash,
    tx_hash: row.txHash,
    fee: formatAmount(fee, nativeCurrency.decimals),
    fee_base_units: fee.toString(),
    native_symbol: nativeCurrency.symbol,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    confirmed_at: row.confirmedAt?.toISOString() ?? null,
  };
}
