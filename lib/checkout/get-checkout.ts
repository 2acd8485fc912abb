import { explorerTxUrl } from "../chains/explorer-url";
import type { TChain } from "../config/chains";
import { publicUrl } from "../config/public-url";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { formatAmount } from "../money/amounts";
import { paymentUri, toBigInt } from "../payments/payment-object";
import { requotePayment } from "../payments/requote-payment";
import { checkoutChain, checkoutFiatPart } from "./checkout-fiat";
import type { TCheckoutObject } from "./checkout-object";
import { readCheckoutRow } from "./checkout-row";

const BRAND_COLOR = /^#[0-9a-fA-F]{6}$/;
/** Payment ids as lib/ids.ts makes them; anything else is not looked up at all. */
export const PAYMENT_ID = /^pay_[0-9A-Za-z]{22}$/;

/**
 * The public checkout view of a payment. The id is the capability (128 random bits), so there is no
 * merchant scoping here; what is returned is a closed projection built field by field, never the
 * payment row or the API object: no merchant id, metadata or derivation path. The order id and the
 * paying transfers appear only in the receipt of a paid payment (the payer's own transactions, for
 * their records), never before.
 */
export async function getCheckoutOrThrow(
  db: Db,
  chains: TChain[],
  id: string,
  options: {
    now?: Date;
    /**
     * Serve the payment's row from the process's cache (checkout-row.ts): the payers' poll, which
     * then reflects a change once PostgreSQL's notification is in (milliseconds after its commit).
     * Off by default: a first page load and everything else read the database.
     */
    cached?: boolean;
  } = {},
): Promise<TCheckoutObject> {
  const now = options.now ?? new Date();
  if (!PAYMENT_ID.test(id)) throw new AppError("not_found", "No such payment.");
  let row = await readCheckoutRow(db, id, { cached: options.cached ?? false });
  if (!row) throw new AppError("not_found", "No such payment.");
  // A fiat-priced payment whose quotes expired unpaid gets new ones as the payer looks at it (the
  // row says when one is due; requotePayment checks again under the payment's lock).
  const requoteDue =
    row.status === "pending" &&
    row.expiresAt > now &&
    row.quotesExpireAt !== null &&
    row.quotesExpireAt <= now;
  const requoted = requoteDue ? await requotePayment({ db, chains, baseUrl: publicUrl(), now }, id) : null;
  if (requoted) row = (await readCheckoutRow(db, id)) ?? row;
  const amount = toBigInt(row.amount);
  const received = toBigInt(row.amountReceived);
  const remaining = amount > received ? amount - received : 0n;
  // Only a pending payment asks for funds: an expired or canceled one must not invite more transfers.
  const due = remaining > 0n && row.status === "pending";
  const uri = (value: bigint) =>
    paymentUri({
      address: row.depositAddress,
      chainId: row.chainId,
      tokenAddress: row.tokenAddress,
      amount: value,
    });
  const fiat = row.priceCurrency
    ? await checkoutFiatPart(db, chains, {
        id: row.id,
        address: row.depositAddress,
        due: row.status === "pending",
        requoted: requoted !== null,
      })
    : undefined;
  const paid = row.status === "confirmed" || row.status === "settled";
  return {
    ...(fiat ? { fiat } : {}),
    id: row.id,
    object: "checkout",
    status: row.status,
    exception: row.exception,
    merchant: {
      name: row.merchant.name,
      brand_color:
        row.merchant.brandColor && BRAND_COLOR.test(row.merchant.brandColor) ? row.merchant.brandColor : null,
    },
    chain: checkoutChain(chains, row.chain, row.chainId),
    token: { symbol: row.tokenSymbol, address: row.tokenAddress, decimals: row.tokenDecimals },
    amount: formatAmount(amount, row.tokenDecimals),
    amount_base_units: amount.toString(),
    amount_received: formatAmount(received, row.tokenDecimals),
    amount_received_base_units: received.toString(),
    amount_remaining: formatAmount(remaining, row.tokenDecimals),
    amount_remaining_base_units: remaining.toString(),
    address: row.depositAddress,
    payment_uri: uri(amount),
    remaining_payment_uri: due ? uri(remaining) : null,
    required_confirmations: row.requiredConfirmations,
    confirmations: row.confirmations,
    expires_at: row.expiresAt.toISOString(),
    description: row.description,
    redirect_url: row.redirectUrl,
    receipt: paid ? await checkoutReceipt(db, chains, row) : null,
    server_time: now.toISOString(),
  };
}

/** The receipt of a paid payment: its credited transfers, oldest first, with explorer links. */
async function checkoutReceipt(
  db: Db,
  chains: TChain[],
  payment: {
    id: string;
    chain: string;
    orderId: string | null;
    confirmedAt: Date | null;
    tokenDecimals: number;
  },
): Promise<NonNullable<TCheckoutObject["receipt"]>> {
  const transfers = await db.transfer.findMany({
    where: { paymentId: payment.id, status: { not: "reverted" } },
    orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
    select: { txHash: true, amount: true },
  });
  const explorerUrl = chains.find((chain) => chain.name === payment.chain)?.explorerUrl ?? null;
  return {
    paid_at: payment.confirmedAt?.toISOString() ?? null,
    order_id: payment.orderId,
    transactions: transfers.map((transfer) => ({
      tx_hash: transfer.txHash,
      amount: formatAmount(toBigInt(transfer.amount), payment.tokenDecimals),
      explorer_url: explorerTxUrl(explorerUrl, transfer.txHash),
    })),
  };
}
