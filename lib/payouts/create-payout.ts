import { z } from "zod";
import { type AccessDeps, authorize } from "../access/actor";
import { postLedgerEntry } from "../balances/post-ledger-entry";
import type { TChain } from "../config/chains";
import type { Db, Tx } from "../db/client";
import { AppError } from "../errors";
import { recordEvent } from "../events/record-event";
import { newId } from "../ids";
import { formatAmount, parseAmount } from "../money/amounts";
import { notifyPayoutAwaitingApproval } from "../notifications/notify";
import { ZMetadata } from "../payments/create-payment";
import { resolveToken } from "../payments/payment-object";
import { ZRecipientAddress } from "../validation/address";
import { zText } from "../validation/text";
import { hotWalletAddress } from "../wallet/derivation";
import { AUTO_APPROVAL, PAYOUT_SELECT, serializePayout, type TPayoutObject } from "./payout-object";

export const ZCreatePayout = z.strictObject({
  chain: z.string().min(1).max(32),
  /** Token symbol from chains.yaml; omitted = the chain's native coin. */
  token: z.string().min(1).max(16).nullish(),
  /** Decimal string in token units; numbers are refused so no float ever touches an amount. */
  amount: z.string({ error: 'must be a decimal string such as "12.5"' }).max(100),
  address: ZRecipientAddress,
  description: zText().max(500).nullish(),
  metadata: ZMetadata.optional(),
});
export type TCreatePayout = z.infer<typeof ZCreatePayout>;

export type PayoutDeps = { db: Db; chains: TChain[]; now?: Date } & AccessDeps;

const DAY_MS = 24 * 60 * 60 * 1000;

function invalid(path: string, message: string): AppError {
  return new AppError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
}

/**
 * Creates a payout from the merchant's balance (`balance` settlement mode). The balance row is
 * locked first, so the daily limit and the balance check see every earlier payout, and the funds
 * are reserved by a `payout` debit in the same transaction: two payouts can never spend the same
 * funds. Below the merchant's auto-approve threshold the payout starts `approved`, otherwise
 * `pending_approval`. Writes `payout.created`.
 */
export async function createPayout(
  deps: PayoutDeps,
  merchantId: string,
  input: TCreatePayout,
): Promise<TPayoutObject> {
  authorize(deps.actor, merchantId, "payouts:write");
  return createPayoutWith(deps, merchantId, input, { paymentId: null });
}

/**
 * createPayout for a payout or a refund (`paymentId` set: ledger type `refund`); the caller has
 * authorized (payouts:write or refunds:write).
 */
export async function createPayoutWith(
  deps: PayoutDeps,
  merchantId: string,
  input: TCreatePayout,
  link: { paymentId: string | null; tx?: Tx },
): Promise<TPayoutObject> {
  const chain = deps.chains.find((candidate) => candidate.name === input.chain);
  if (!chain)
    throw invalid("chain", `unknown chain; configured: ${deps.chains.map((c) => c.name).join(", ")}`);
  const token = resolveToken(chain, input.token);
  if (!token) {
    const symbols = [chain.nativeCurrency.symbol, ...chain.tokens.map((t) => t.symbol)].join(", ");
    throw invalid("token", `unknown token on ${chain.name}; available: ${symbols}`);
  }
  const amount = parseAmount(input.amount, token.decimals);
  const now = deps.now ?? new Date();

  const run = async (tx: Tx): Promise<TPayoutObject> => {
    const merchant = await tx.merchant.findUniqueOrThrow({
      where: { id: merchantId },
      select: {
        depositXpub: true,
        settlementSettings: { where: { chain: chain.name }, select: { mode: true } },
      },
    });
    if (merchant.settlementSettings[0]?.mode !== "balance")
      throw new AppError(
        "invalid_state",
        `Payouts spend your balance, and ${chain.name} is not in balance settlement mode: payments are swept ` +
          `to your treasury and the gateway holds nothing for you. Switch with PUT /api/v1/settings/treasury ` +
          `{"chain": "${chain.name}", "mode": "balance"}.`,
      );
    if (input.address === hotWalletAddress(merchant.depositXpub))
      throw invalid("address", "is your own hot wallet on this gateway; pay out to an address you control");
    const deposit = await tx.payment.findFirst({
      where: { depositAddress: input.address },
      select: { id: true },
    });
    if (deposit)
      throw invalid("address", "is a deposit address of this gateway; pay out to an address you control");

    // The row lock serialises every payout of this balance: limits and balance are checked on
    // committed state, never raced.
    const [balance] = await tx.$queryRaw<{ available: string }[]>`
      SELECT available::text AS available FROM balances
      WHERE merchant_id = ${merchantId} AND chain = ${chain.name} AND token_symbol = ${token.symbol}
      FOR UPDATE`;
    const available = BigInt(balance?.available ?? "0");
    if (amount > available)
      throw invalid(
        "amount",
        available < 0n
          ? `the ${token.symbol} balance is owed (${formatAmount(available, token.decimals)}, taken back by a chain reorganisation): payouts are refused until it is repaid`
          : `exceeds the available balance of ${formatAmount(available, token.decimals)} ${token.symbol}`,
      );
    const limits = await tx.payoutLimit.findUnique({
      where: { merchantId_chain_tokenSymbol: { merchantId, chain: chain.name, tokenSymbol: token.symbol } },
      select: { maxPerPayout: true, maxPerDay: true, autoApproveBelow: true },
    });
    const limit = (value: { toFixed(): string } | null | undefined) =>
      value ? BigInt(value.toFixed()) : null;
    const maxPerPayout = limit(limits?.maxPerPayout);
    if (maxPerPayout !== null && amount > maxPerPayout)
      throw invalid(
        "amount",
        `exceeds your per-payout limit of ${formatAmount(maxPerPayout, token.decimals)} ${token.symbol}`,
      );
    const maxPerDay = limit(limits?.maxPerDay);
    if (maxPerDay !== null) {
      const since = new Date(now.getTime() - DAY_MS);
      const [day] = await tx.$queryRaw<{ total: string }[]>`
        SELECT COALESCE(SUM(amount), 0)::text AS total FROM payouts
        WHERE merchant_id = ${merchantId} AND chain = ${chain.name} AND token_symbol = ${token.symbol}
          AND created_at > ${since} AND status NOT IN ('rejected', 'failed')`;
      const spent = BigInt(day?.total ?? "0");
      if (spent + amount > maxPerDay)
        throw invalid(
          "amount",
          `exceeds your daily payout limit of ${formatAmount(maxPerDay, token.decimals)} ${token.symbol} ` +
            `(${formatAmount(spent, token.decimals)} paid out in the last 24 hours)`,
        );
    }
    const autoApproveBelow = limit(limits?.autoApproveBelow);
    const approved = autoApproveBelow !== null && amount < autoApproveBelow;

    const id = newId("po");
    await tx.payout.create({
      data: {
        id,
        merchantId,
        paymentId: link.paymentId,
        chain: chain.name,
        tokenSymbol: token.symbol,
        tokenAddress: token.address,
        amount: amount.toString(),
        toAddress: input.address,
        status: approved ? "approved" : "pending_approval",
        description: input.description ?? null,
        metadata: input.metadata ?? {},
        createdAt: now,
        approvedAt: approved ? now : null,
        reviewedBy: approved ? AUTO_APPROVAL : null,
      },
      select: { id: true },
    });
    await postLedgerEntry(tx, {
      merchantId,
      chain: chain.name,
      tokenSymbol: token.symbol,
      type: link.paymentId ? "refund" : "payout",
      amount: -amount,
      payoutId: id,
      paymentId: null,
      description: link.paymentId ? `refund of ${link.paymentId}` : (input.description ?? null),
      createdAt: now,
    });
    const row = await tx.payout.findUniqueOrThrow({ where: { id }, select: PAYOUT_SELECT });
    const payout = serializePayout(deps.chains, row);
    await recordEvent(tx, {
      merchantId,
      type: "payout.created",
      objectId: id,
      object: payout,
      createdAt: now,
    });
    if (!approved) await notifyPayoutAwaitingApproval(tx, merchantId, payout);
    return payout;
  };
  return link.tx ? run(link.tx) : deps.db.$transaction(run);
}
