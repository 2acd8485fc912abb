// The public payment object (DESIGN.md "Payment object") and its serializer. Nothing returns a raw
// database row: routes, webhooks and the checkout page all go through serializePayment.
import { z } from "zod";
import type { TChain } from "../config/chains";
import type { Prisma } from "../db/client";
import { AppError } from "../errors";
import { formatAmount } from "../money/amounts";
import { formatPrice } from "./fiat-rates";

const ZTokenObject = z.object({
  symbol: z.string(),
  address: z.string().nullable(),
  decimals: z.number().int(),
});

export const ZTransferObject = z.object({
  tx_hash: z.string(),
  log_index: z.number().int(),
  from: z.string(),
  amount: z.string(),
  block_number: z.string(),
  confirmations: z.number().int(),
  status: z.enum(["confirming", "confirmed", "reverted"]),
  /** Fiat-priced payments: the transfer's chain and coin, and its value in the price currency. */
  chain: z.string().optional(),
  token: ZTokenObject.optional(),
  value: z.string().nullable().optional(),
});

/** One accepted chain/token of a fiat-priced payment with its locked quote. */
export const ZPaymentOptionObject = z.object({
  chain: z.string(),
  chain_id: z.number().int(),
  token: ZTokenObject,
  amount: z.string(),
  amount_base_units: z.string(),
  /** Price of one whole token in the payment's currency, exact decimal string. */
  rate: z.string(),
  payment_uri: z.string(),
  quote_expires_at: z.string(),
});

/** A transfer to the payment's address in a coin or on a chain it does not accept. */
export const ZUnattributedTransferObject = z.object({
  chain: z.string(),
  tx_hash: z.string(),
  log_index: z.number().int(),
  token_address: z.string().nullable(),
  from: z.string(),
  amount_base_units: z.string(),
  block_number: z.string(),
  status: z.enum(["confirming", "confirmed", "reverted"]),
  resolution: z.enum(["accepted", "refunded"]).nullable(),
  /** Where a refunded transfer is sent back; null otherwise. */
  refund_address: z.string().nullable(),
  /**
   * The sweep moving a resolved transfer's coins once it has its confirmations (to the merchant's
   * treasury or hot wallet, or back to `refund_address`); null until it is planned.
   */
  sweep: z
    .object({
      id: z.string(),
      status: z.enum(["pending", "funding_gas", "gas_funded", "transferring", "confirmed", "failed"]),
      tx_hash: z.string().nullable(),
    })
    .nullable(),
});

export const ZPaymentObject = z.object({
  id: z.string(),
  object: z.literal("payment"),
  status: z.enum(["pending", "detected", "confirmed", "settled", "expired", "canceled"]),
  exception: z.enum(["overpaid", "underpaid", "paid_late", "reorged_after_settlement"]).nullable(),
  /**
   * The payment's coin. A fiat-priced payment's name the option paid once a transfer arrives, and
   * are null before (the payer picks among `options`); a single-coin payment's are never null.
   */
  chain: z.string().nullable(),
  chain_id: z.number().int().nullable(),
  token: ZTokenObject.nullable(),
  amount: z.string().nullable(),
  amount_base_units: z.string().nullable(),
  amount_received: z.string(),
  amount_received_base_units: z.string(),
  address: z.string(),
  payment_uri: z.string().nullable(),
  checkout_url: z.string(),
  required_confirmations: z.number().int(),
  confirmations: z.number().int(),
  expires_at: z.string(),
  created_at: z.string(),
  detected_at: z.string().nullable(),
  confirmed_at: z.string().nullable(),
  settled_at: z.string().nullable(),
  order_id: z.string().nullable(),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  redirect_url: z.string().nullable(),
  transfers: z.array(ZTransferObject),
  /**
   * Fiat-priced payments only: the price, value received (price currency), options, coins received.
   * `chain`/`token`/`amount` then name the option paid once a transfer arrives (null before).
   */
  price: z.object({ amount: z.string(), currency: z.string() }).optional(),
  value_received: z.string().optional(),
  options: z.array(ZPaymentOptionObject).optional(),
  received: z
    .array(
      z.object({ chain: z.string(), token: ZTokenObject, amount: z.string(), amount_base_units: z.string() }),
    )
    .optional(),
  unattributed_transfers: z.array(ZUnattributedTransferObject).optional(),
});
export type TPaymentObject = z.infer<typeof ZPaymentObject>;

/** Keys only a fiat-priced payment's object (and its transfers) has (optional in the OpenAPI document). */
export const FIAT_PAYMENT_KEYS = ["price", "value_received", "options", "received", "unattributed_transfers"];
export const FIAT_TRANSFER_KEYS = ["chain", "token", "value"];

/** The columns serializePayment needs (`select` exactly these). */
export const PAYMENT_SELECT = {
  id: true,
  status: true,
  exception: true,
  chain: true,
  chainId: true,
  tokenSymbol: true,
  tokenAddress: true,
  tokenDecimals: true,
  amount: true,
  amountReceived: true,
  depositAddress: true,
  requiredConfirmations: true,
  confirmations: true,
  expiresAt: true,
  createdAt: true,
  detectedAt: true,
  confirmedAt: true,
  settledAt: true,
  orderId: true,
  description: true,
  metadata: true,
  redirectUrl: true,
  priceAmount: true,
  priceCurrency: true,
  valueReceived: true,
  optionPaid: true,
  transfers: {
    select: {
      txHash: true,
      logIndex: true,
      fromAddress: true,
      amount: true,
      blockNumber: true,
      confirmations: true,
      status: true,
      chain: true,
      tokenAddress: true,
      fiatValue: true,
    },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
  },
  options: { orderBy: { position: "asc" } },
  unattributedTransfers: {
    select: {
      chain: true,
      txHash: true,
      logIndex: true,
      tokenAddress: true,
      fromAddress: true,
      amount: true,
      blockNumber: true,
      status: true,
      resolution: true,
      refundAddress: true,
      sweep: { select: { id: true, status: true, txHash: true } },
    },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
  },
} satisfies Prisma.PaymentSelect;

type DecimalLike = { toFixed(): string };
export type PaymentRow = {
  id: string;
  status: TPaymentObject["status"];
  exception: TPaymentObject["exception"];
  chain: string;
  chainId: number;
  tokenSymbol: string;
  tokenAddress: string | null;
  tokenDecimals: number;
  amount: DecimalLike;
  amountReceived: DecimalLike;
  depositAddress: string;
  requiredConfirmations: number;
  confirmations: number;
  expiresAt: Date;
  createdAt: Date;
  detectedAt: Date | null;
  confirmedAt: Date | null;
  settledAt: Date | null;
  orderId: string | null;
  description: string | null;
  metadata: unknown;
  redirectUrl: string | null;
  transfers: {
    txHash: string;
    logIndex: number;
    fromAddress: string;
    amount: DecimalLike;
    blockNumber: bigint;
    confirmations: number;
    status: "confirming" | "confirmed" | "reverted";
    chain?: string;
    tokenAddress?: string | null;
    fiatValue?: DecimalLike | null;
  }[];
  priceAmount?: DecimalLike | null;
  priceCurrency?: string | null;
  valueReceived?: DecimalLike | null;
  optionPaid: boolean;
  options?: {
    chain: string;
    chainId: number;
    tokenSymbol: string;
    tokenAddress: string | null;
    tokenDecimals: number;
    amount: DecimalLike;
    rate: string;
    quoteExpiresAt: Date;
  }[];
  unattributedTransfers?: {
    chain: string;
    txHash: string;
    logIndex: number;
    tokenAddress: string | null;
    fromAddress: string;
    amount: DecimalLike;
    blockNumber: bigint;
    status: "confirming" | "confirmed" | "reverted";
    resolution: "accepted" | "refunded" | null;
    refundAddress: string | null;
    sweep: { id: string; status: TUnattributedSweep["status"]; txHash: string | null } | null;
  }[];
};

type TUnattributedSweep = NonNullable<z.infer<typeof ZUnattributedTransferObject>["sweep"]>;

/** Prisma Decimal → bigint, exactly (NUMERIC(78,0) values are integers). */
export function toBigInt(value: DecimalLike): bigint {
  return BigInt(value.toFixed());
}

/**
 * EIP-681 URI a wallet can pay from: `ethereum:<to>@<chainId>?value=<wei>` for the native coin,
 * `ethereum:<token>@<chainId>/transfer?address=<to>&uint256=<units>` for an ERC-20.
 */
export function paymentUri(params: {
  address: string;
  chainId: number;
  tokenAddress: string | null;
  amount: bigint;
}): string {
  if (!params.tokenAddress) return `ethereum:${params.address}@${params.chainId}?value=${params.amount}`;
  return `ethereum:${params.tokenAddress}@${params.chainId}/transfer?address=${params.address}&uint256=${params.amount}`;
}

/** A single-coin payment's object: its coin fields are never null. */
export type TCoinPaymentObject = TPaymentObject & {
  chain: string;
  chain_id: number;
  token: NonNullable<TPaymentObject["token"]>;
  amount: string;
  amount_base_units: string;
  payment_uri: string;
};

/** The coin fields a fiat-priced payment has before a transfer names the option paid. */
const NO_COIN_YET = {
  chain: null,
  chain_id: null,
  token: null,
  amount: null,
  amount_base_units: null,
  payment_uri: null,
} as const;

export function serializePayment(row: PaymentRow, baseUrl: string): TPaymentObject {
  const coin = serializeCoinPayment(row, baseUrl);
  if (!row.priceAmount || !row.priceCurrency) return coin;
  return {
    ...coin,
    ...(row.optionPaid ? {} : NO_COIN_YET),
    ...serializeFiatParts(row, row.priceCurrency),
  };
}

/** A payment object known to be a single-coin one (created by createPayment), typed as such. */
export function asCoinPayment(payment: TPaymentObject): TCoinPaymentObject {
  const { chain, chain_id, token, amount, amount_base_units, payment_uri } = payment;
  if (chain === null || chain_id === null || !token || amount === null || !amount_base_units || !payment_uri)
    throw new AppError("internal_error", `payment ${payment.id} has no coin yet`);
  return { ...payment, chain, chain_id, token, amount, amount_base_units, payment_uri };
}

/**
 * The payment with its coin fields filled, as the dashboard shows it: its own, or, for a fiat-priced
 * payment nothing was paid to yet, its first option's (the payer may still pick another).
 */
export function withDisplayCoin(payment: TPaymentObject): TCoinPaymentObject {
  const option = payment.chain === null ? payment.options?.[0] : undefined;
  if (!option) return asCoinPayment(payment);
  const { chain, chain_id, token, amount, amount_base_units, payment_uri } = option;
  return { ...payment, chain, chain_id, token, amount, amount_base_units, payment_uri };
}

function serializeCoinPayment(row: PaymentRow, baseUrl: string): TCoinPaymentObject {
  const amount = toBigInt(row.amount);
  const received = toBigInt(row.amountReceived);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    id: row.id,
    object: "payment",
    status: row.status,
    exception: row.exception,
    chain: row.chain,
    chain_id: row.chainId,
    token: { symbol: row.tokenSymbol, address: row.tokenAddress, decimals: row.tokenDecimals },
    amount: formatAmount(amount, row.tokenDecimals),
    amount_base_units: amount.toString(),
    amount_received: formatAmount(received, row.tokenDecimals),
    amount_received_base_units: received.toString(),
    address: row.depositAddress,
    payment_uri: paymentUri({
      address: row.depositAddress,
      chainId: row.chainId,
      tokenAddress: row.tokenAddress,
      amount,
    }),
    checkout_url: `${baseUrl}/pay/${row.id}`,
    required_confirmations: row.requiredConfirmations,
    confirmations: row.confirmations,
    expires_at: row.expiresAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    detected_at: iso(row.detectedAt),
    confirmed_at: iso(row.confirmedAt),
    settled_at: iso(row.settledAt),
    order_id: row.orderId,
    description: row.description,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    redirect_url: row.redirectUrl,
    transfers: row.transfers.map((transfer) => ({
      tx_hash: transfer.txHash,
      log_index: transfer.logIndex,
      from: transfer.fromAddress,
      amount: formatAmount(toBigInt(transfer.amount), row.tokenDecimals),
      block_number: transfer.blockNumber.toString(),
      confirmations: transfer.confirmations,
      status: transfer.status,
    })),
  };
}

/**
 * The fiat-priced parts of a payment object: price, value received, options with their quotes,
 * coins received per chain/token, transfers with their chain, coin and value, and the transfers the
 * payment does not accept.
 */
function serializeFiatParts(row: PaymentRow, currency: string): Partial<TPaymentObject> {
  const options = row.options ?? [];
  const tokenOf = (chain: string | undefined, address: string | null | undefined) => {
    const option = options.find(
      (o) =>
        o.chain === chain && (o.tokenAddress?.toLowerCase() ?? null) === (address?.toLowerCase() ?? null),
    );
    return option
      ? { symbol: option.tokenSymbol, address: option.tokenAddress, decimals: option.tokenDecimals }
      : { symbol: row.tokenSymbol, address: row.tokenAddress, decimals: row.tokenDecimals };
  };
  const received = new Map<string, { chain: string; token: ReturnType<typeof tokenOf>; units: bigint }>();
  const transfers = row.transfers.map((transfer) => {
    const token = tokenOf(transfer.chain, transfer.tokenAddress);
    const units = toBigInt(transfer.amount);
    if (transfer.status !== "reverted") {
      const key = `${transfer.chain}:${token.symbol}`;
      const entry = received.get(key) ?? { chain: transfer.chain ?? row.chain, token, units: 0n };
      entry.units += units;
      received.set(key, entry);
    }
    return {
      tx_hash: transfer.txHash,
      log_index: transfer.logIndex,
      from: transfer.fromAddress,
      amount: formatAmount(units, token.decimals),
      block_number: transfer.blockNumber.toString(),
      confirmations: transfer.confirmations,
      status: transfer.status,
      chain: transfer.chain ?? row.chain,
      token,
      value: transfer.fiatValue ? formatPrice(toBigInt(transfer.fiatValue), currency) : null,
    };
  });
  return {
    // The coin fields (chain, token, amount…) name the option paid, null until then (NO_COIN_YET).
    price: { amount: formatPrice(toBigInt(row.priceAmount ?? { toFixed: () => "0" }), currency), currency },
    value_received: formatPrice(toBigInt(row.valueReceived ?? { toFixed: () => "0" }), currency),
    transfers,
    options: options.map((option) => {
      const amount = toBigInt(option.amount);
      return {
        chain: option.chain,
        chain_id: option.chainId,
        token: { symbol: option.tokenSymbol, address: option.tokenAddress, decimals: option.tokenDecimals },
        amount: formatAmount(amount, option.tokenDecimals),
        amount_base_units: amount.toString(),
        rate: option.rate,
        payment_uri: paymentUri({
          address: row.depositAddress,
          chainId: option.chainId,
          tokenAddress: option.tokenAddress,
          amount,
        }),
        quote_expires_at: option.quoteExpiresAt.toISOString(),
      };
    }),
    received: [...received.values()].map((entry) => ({
      chain: entry.chain,
      token: entry.token,
      amount: formatAmount(entry.units, entry.token.decimals),
      amount_base_units: entry.units.toString(),
    })),
    unattributed_transfers: (row.unattributedTransfers ?? []).map((transfer) => ({
      chain: transfer.chain,
      tx_hash: transfer.txHash,
      log_index: transfer.logIndex,
      token_address: transfer.tokenAddress,
      from: transfer.fromAddress,
      amount_base_units: toBigInt(transfer.amount).toString(),
      block_number: transfer.blockNumber.toString(),
      status: transfer.status,
      resolution: transfer.resolution,
      refund_address: transfer.refundAddress,
      sweep: transfer.sweep
        ? { id: transfer.sweep.id, status: transfer.sweep.status, tx_hash: transfer.sweep.txHash }
        : null,
    })),
  };
}

/** Resolves `token` (a symbol from chains.yaml; omitted = the native coin) on `chain`. */
export function resolveToken(chain: TChain, symbol: string | null | undefined) {
  if (!symbol || symbol.toUpperCase() === chain.nativeCurrency.symbol.toUpperCase())
    return { symbol: chain.nativeCurrency.symbol, address: null, decimals: chain.nativeCurrency.decimals };
  const token = chain.tokens.find((candidate) => candidate.symbol.toUpperCase() === symbol.toUpperCase());
  return token ? { symbol: token.symbol, address: token.address as string, decimals: token.decimals } : null;
}
