import { z } from "zod";
import type { TChain } from "../config/chains";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { parseAmount } from "../money/amounts";
import { depositAddress } from "../wallet/derivation";
import { PAYMENT_SELECT, resolveToken, serializePayment, type TPaymentObject } from "./payment-object";

const ZMetadataValue = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
/** Stripe-style metadata: a flat object of at most 50 keys, short keys and values. */
export const ZMetadata = z
  .record(z.string().min(1).max(40), ZMetadataValue)
  .refine((value) => Object.keys(value).length <= 50, "at most 50 keys");

export const MIN_EXPIRES_IN = 60;
export const MAX_EXPIRES_IN = 7 * 24 * 60 * 60;

export const ZCreatePayment = z.strictObject({
  chain: z.string().min(1).max(32),
  token: z.string().min(1).max(16).nullish(),
  /** Decimal string in token units; numbers are refused so no float ever touches an amount. */
  amount: z.string({ error: 'must be a decimal string such as "12.5"' }).max(100),
  expires_in: z.number().int().min(MIN_EXPIRES_IN).max(MAX_EXPIRES_IN).optional(),
  order_id: z.string().min(1).max(200).nullish(),
  description: z.string().max(1000).nullish(),
  metadata: ZMetadata.optional(),
  redirect_url: z
    .url({ protocol: /^https?$/, error: "must be an http or https URL" })
    .max(2048)
    .nullish(),
});
export type TCreatePayment = z.infer<typeof ZCreatePayment>;

export type CreatePaymentDeps = { db: Db; chains: TChain[]; baseUrl: string; now?: Date };

/**
 * Creates a payment with its own deposit address. The deposit index comes from one atomic
 * `UPDATE … RETURNING` on the merchant (never reused, even if this request fails later: a gap is
 * harmless, a reuse is not), the address is derived from the merchant's xpub, and the payment,
 * its first timeline entry and the `payment.created` event are written in one transaction.
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  merchantId: string,
  input: TCreatePayment,
): Promise<TPaymentObject> {
  const chain = deps.chains.find((candidate) => candidate.name === input.chain);
  if (!chain) {
    const message = `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`;
    throw new AppError("validation_failed", `chain: ${message}`, { errors: [{ path: "chain", message }] });
  }
  const token = resolveToken(chain, input.token);
  if (!token) {
    const symbols = [chain.nativeCurrency.symbol, ...chain.tokens.map((t) => t.symbol)].join(", ");
    const message = `unknown token on ${chain.name}; available: ${symbols}`;
    throw new AppError("validation_failed", `token: ${message}`, { errors: [{ path: "token", message }] });
  }
  const amount = parseAmount(input.amount, token.decimals);
  const now = deps.now ?? new Date();

  const [allocated] = await deps.db.$queryRaw<
    { index: number; hd_account: number; deposit_xpub: string; default_expiry_seconds: number }[]
  >`
    UPDATE merchants SET next_deposit_index = next_deposit_index + 1, updated_at = now()
    WHERE id = ${merchantId}
    RETURNING next_deposit_index - 1 AS index, hd_account, deposit_xpub, default_expiry_seconds`;
  if (!allocated) throw new AppError("not_found", "Merchant not found");
  const address = depositAddress(allocated.deposit_xpub, allocated.index);
  const cursor = await deps.db.chainCursor.findUnique({
    where: { chain: chain.name },
    select: { headBlock: true },
  });
  const expiresIn = input.expires_in ?? allocated.default_expiry_seconds;

  return deps.db.$transaction(async (tx) => {
    const row = await tx.payment.create({
      data: {
        id: newId("pay"),
        merchantId,
        chain: chain.name,
        chainId: chain.chainId,
        tokenSymbol: token.symbol,
        tokenAddress: token.address,
        tokenDecimals: token.decimals,
        amount: amount.toString(),
        depositAddress: address,
        derivationAccount: allocated.hd_account,
        derivationIndex: allocated.index,
        requiredConfirmations: chain.confirmations,
        startBlock: cursor?.headBlock ?? null,
        orderId: input.order_id ?? null,
        description: input.description ?? null,
        metadata: input.metadata ?? {},
        redirectUrl: input.redirect_url ?? null,
        expiresAt: new Date(now.getTime() + expiresIn * 1000),
        createdAt: now,
        statusChanges: {
          create: {
            id: newId("psc"),
            fromStatus: null,
            toStatus: "pending",
            reason: "created",
            createdAt: now,
          },
        },
      },
      select: PAYMENT_SELECT,
    });
    const payment = serializePayment(row, deps.baseUrl);
    await recordEvent(tx, {
      merchantId,
      type: "payment.created",
      objectId: payment.id,
      object: payment,
      createdAt: now,
    });
    return payment;
  });
}
