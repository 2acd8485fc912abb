import type { Tx } from "../db/client";
import type { BalanceTransactionType } from "../db/generated/enums";
import { AppError } from "../errors";
import { newId } from "../ids";

export type PostLedgerEntryParams = {
  merchantId: string;
  chain: string;
  tokenSymbol: string;
  type: BalanceTransactionType;
  /** Signed base units: credits positive, debits negative. Never zero. */
  amount: bigint;
  /** A payment credit's gross and fee (`amount = gross - fee`); see BalanceTransaction. */
  split?: { gross: bigint; fee: bigint };
  paymentId?: string | null;
  payoutId?: string | null;
  /** The accepted unattributed transfer a `transfer_accepted` credit or its reversal is about. */
  transferId?: string | null;
  description?: string | null;
  createdAt?: Date;
  /**
   * Only for corrections of what the chain took back (a reorg after settlement): the debit is
   * posted even if the balance goes negative ("owed"); every other debit refuses while it is.
   */
  allowOwed?: boolean;
};

export type LedgerEntry = { id: string; balanceAfter: bigint };

/**
 * Appends one ledger entry and moves the merchant's balance by its amount, in the caller's
 * transaction. The balance moves with a single conditional UPDATE: it takes the row lock, and a
 * concurrent debit waits for it and re-checks `available + amount >= 0` against the committed
 * value, so two debits can never spend the same funds (the CHECK constraint
 * `balances_available_non_negative` is the backstop). A debit larger than the balance throws a 422
 * on `amount` and changes nothing; a negative (owed) balance refuses every debit, with its own
 * message, until credits bring it back to zero. Entries are never updated or deleted: corrections are new
 * entries (`payout_reversed`, `adjustment`).
 */
export async function postLedgerEntry(tx: Tx, params: PostLedgerEntryParams): Promise<LedgerEntry> {
  const { merchantId, chain, tokenSymbol, amount } = params;
  if (amount === 0n) throw new AppError("internal_error", "a ledger entry cannot be zero");
  if (params.split && params.split.gross - params.split.fee !== amount)
    throw new AppError("internal_error", "a ledger entry's gross less its fee must be its amount");
  const delta = amount.toString();
  if (amount > 0n || params.allowOwed)
    await tx.$executeRaw`
      INSERT INTO balances (merchant_id, chain, token_symbol, available, updated_at)
      VALUES (${merchantId}, ${chain}, ${tokenSymbol}, 0, now()) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<{ available: string }[]>`
    UPDATE balances SET available = available + ${delta}::numeric, updated_at = now()
    WHERE merchant_id = ${merchantId} AND chain = ${chain} AND token_symbol = ${tokenSymbol}
      AND (available + ${delta}::numeric >= 0 OR ${amount > 0n || params.allowOwed === true})
    RETURNING available::text AS available`;
  if (!row) {
    const [current] = await tx.$queryRaw<{ available: string }[]>`
      SELECT available::text AS available FROM balances
      WHERE merchant_id = ${merchantId} AND chain = ${chain} AND token_symbol = ${tokenSymbol}`;
    const available = current?.available ?? "0";
    const message = available.startsWith("-")
      ? `the ${tokenSymbol} balance on ${chain} is owed (${available} base units, taken back by a chain reorganisation): payouts are refused until it is repaid`
      : `exceeds the available ${tokenSymbol} balance on ${chain} (${available} base units)`;
    throw new AppError("validation_failed", `amount: ${message}`, { errors: [{ path: "amount", message }] });
  }
  const id = newId("txn");
  const balanceAfter = BigInt(row.available);
  await tx.balanceTransaction.create({
    data: {
      id,
      merchantId,
      chain,
      tokenSymbol,
      type: params.type,
      amount: delta,
      balanceAfter: balanceAfter.toString(),
      gross: params.split?.gross.toString() ?? null,
      fee: params.split?.fee.toString() ?? null,
      paymentId: params.paymentId ?? null,
      payoutId: params.payoutId ?? null,
      transferId: params.transferId ?? null,
      description: params.description ?? null,
      ...(params.createdAt ? { createdAt: params.createdAt } : {}),
    },
    select: { id: true },
  });
  return { id, balanceAfter };
}
