import { type Address, type Hex, keccak256, parseTransaction } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { allocateNonce } from "./allocate-nonce";
import { feeModelOf } from "./fees/fee-model";
import { quoteL1Fee } from "./fees/l1-fee";
import { quoteFees } from "./fees/quote-fees";
import { replacementFees } from "./fees/replacement-fees";
import { type FeeFields, feeFieldsOf, maxPricePerGas, maxTransactionCost } from "./fees/transaction-cost";
import type { TransactionPolicy } from "./fees/transaction-policy";
import { feeColumns, feesOfParsed } from "./sign-outgoing-transaction";

export type ReplaceOutcome =
  /** Another runner holds it, it is final or paused, or not stuck yet: nothing done. */
  | { kind: "not_stuck" }
  /** One of its transactions is mined: the watcher records it. */
  | { kind: "mined" }
  /** The caller could not pay the higher fee yet (beforeSign said no): tried again next pass. */
  | { kind: "waiting" }
  /** Past the policy (max replacements or fee ceiling): paused with this reason, alert raised. */
  | { kind: "paused"; code: "max_replacements" | "fee_ceiling"; reason: string }
  /** Re-signed and recorded: broadcast `rawTx` once the caller commits. */
  | ReplacedOutcome;

export type ReplacedOutcome = {
  kind: "replaced";
  rawTx: Hex;
  txHash: Hex;
  /** The transaction this one supersedes (it may still be mined, unless its nonce was taken). */
  replacedHash: string;
  /** Every earlier transaction of the row, oldest first (replacedHash last). */
  replacedTxHashes: string[];
  /** The nonce signed: the same one, or a fresh one when `nonceTaken` (see below). */
  nonce: number;
  /**
   * The nonce was used on chain by a transaction not signed here (e.g. an operator's script sending
   * from the same key): this one can never be mined, so it was re-signed with a fresh nonce.
   */
  nonceTaken: number | null;
  fees: FeeFields;
  maxCost: bigint;
  value: bigint;
};

/** What an owner (sweep, payout, top-up) keeps of its replaced transaction: its copy of the engine's row. */
export function replacedCopyOf(outcome: ReplacedOutcome) {
  const { rawTx, txHash, nonce, replacedTxHashes } = outcome;
  return { rawTx, txHash, nonce, replacedTxHashes };
}

/** What the replacement may cost at most (gas limit × max fee + L1 fee), and over the stuck one. */
export type ReplacementCost = { maxCost: bigint; extraCost: bigint };

export type ReplaceStuckTransactionParams = {
  id: string;
  chain: TChain;
  signer: PrivateKeyAccount;
  policy: TransactionPolicy;
  /** How long after signing a transaction counts as stuck; default: the policy's. */
  stuckAfterMs?: number;
  now: Date;
  /**
   * Fees above the policy's replacement (never below it, never past the ceiling): a sender holding
   * gas for a higher fee (a deposit topped up for it) may spend it at that fee.
   */
  raiseFees?: (fees: FeeFields) => Promise<FeeFields> | FeeFields;
  /** The value of the replacement (a native sweep sends its balance less the new fee); default: same. */
  replacementValue?: (cost: ReplacementCost) => Promise<bigint> | bigint;
  /** Reserve or check the funds of the higher fee; false: not now (the outcome is `waiting`). */
  beforeSign?: (cost: ReplacementCost) => Promise<boolean>;
  logger?: Logger;
};

const ROW_SELECT = {
  fromAddress: true,
  nonce: true,
  rawTx: true,
  txHash: true,
  replacedTxHashes: true,
  replacements: true,
  signedAt: true,
  l1Fee: true,
  purpose: true,
  ownerId: true,
} as const;

/**
 * Replaces a stuck outgoing transaction under the chain's policy, in the caller's database
 * transaction (the row is locked, SKIP LOCKED): once `policy.stuckAfterMs` has passed since it was
 * signed and none of its transactions is mined, it is re-signed with the same nonce and both fees
 * raised by the policy's bump (at least the current quote), and recorded before the caller
 * broadcasts it; the replaced hash is kept (it may still be mined). At the policy's maximum number
 * of replacements, or when the raise would pass its fee ceiling, the transaction is paused instead:
 * status `paused`, a reason, an error log; metrics and health show it (ctrip_outgoing_transactions_paused).
 * A nonce taken on chain by a transaction not signed here is no replacement: the transaction is
 * signed again with a fresh nonce at the current quote.
 */
export async function replaceStuckTransaction(
  tx: Tx,
  client: ChainClient,
  params: ReplaceStuckTransactionParams,
): Promise<ReplaceOutcome> {
  const { policy, signer, now } = params;
  const [locked] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM outgoing_transactions WHERE id = ${params.id} AND status = 'pending' FOR UPDATE SKIP LOCKED`;
  if (!locked) return { kind: "not_stuck" };
  const row = await tx.outgoingTransaction.findUniqueOrThrow({
    where: { id: params.id },
    select: ROW_SELECT,
  });
  const stuckAfterMs = params.stuckAfterMs ?? policy.stuckAfterSeconds * 1000;
  if (now.getTime() - row.signedAt.getTime() < stuckAfterMs) return { kind: "not_stuck" };
  if (signer.address !== row.fromAddress)
    throw new Error(`outgoing transaction ${params.id}: the signer is not ${row.fromAddress}`);
  // The count first: a nonce used on chain while none of ours is mined was taken by someone else
  // (one of ours mined after the count is found by the receipts).
  const minedNonces = await client.getTransactionCount({
    address: row.fromAddress as Address,
    blockTag: "latest",
  });
  if (await minedReceipt(client, [row.txHash, ...row.replacedTxHashes])) return { kind: "mined" };
  const stuck = parseTransaction(row.rawTx as Hex);
  const previous = feesOfParsed(stuck);
  const current = feeFieldsOf(await quoteFees(client, { chain: params.chain, maxAgeMs: 0 }));
  const nonceTaken = minedNonces > row.nonce;

  let fees: FeeFields;
  if (nonceTaken) fees = current;
  else {
    const next = replacementFees({ previous, current, replacementsMade: row.replacements, policy });
    if ("exceeded" in next) {
      const reason = next.exceeded === "max_replacements" ? "max_replacements" : "fee_ceiling";
      const message =
        next.exceeded === "max_replacements"
          ? `transaction ${row.txHash} not mined after ${row.replacements} replacements; needs an operator`
          : `transaction ${row.txHash} not mined; its replacement would pay more than the chain's ceiling of ` +
            `${policy.maxFeePerGas} wei/gas: needs an operator`;
      await tx.outgoingTransaction.update({
        where: { id: params.id },
        data: { status: "paused", pausedReason: reason, lastError: message },
      });
      params.logger?.error("outgoing transaction paused: needs an operator", {
        chain: params.chain.name,
        outgoingTransactionId: params.id,
        purpose: row.purpose,
        ownerId: row.ownerId,
        reason,
        message,
      });
      return { kind: "paused", code: reason, reason: message };
    }
    fees = params.raiseFees ? raisedWithin(next.fees, await params.raiseFees(next.fees), policy) : next.fees;
  }

  const gas = stuck.gas ?? 0n;
  const feeModel = await feeModelOf(client, params.chain);
  const unsigned = { chainId: params.chain.chainId, to: stuck.to ?? undefined, data: stuck.data, gas };
  const l1Fee = await quoteL1Fee(client, {
    feeModel,
    transaction: { ...unsigned, value: stuck.value ?? 0n, nonce: row.nonce, ...fees },
  });
  const maxCost = maxTransactionCost(fees, gas, l1Fee);
  const cost = {
    maxCost,
    extraCost: maxCost - maxTransactionCost(previous, gas, BigInt(row.l1Fee.toFixed())),
  };
  const value = params.replacementValue ? await params.replacementValue(cost) : (stuck.value ?? 0n);
  if (params.beforeSign && !(await params.beforeSign(cost))) return { kind: "waiting" };
  const nonce = nonceTaken
    ? await allocateNonce(tx, client, { chain: params.chain.name, address: signer.address })
    : row.nonce;
  const rawTx = await signer.signTransaction({ ...unsigned, value, nonce, ...fees });
  const txHash = keccak256(rawTx);
  const replacedTxHashes = [...row.replacedTxHashes, row.txHash];
  await tx.outgoingTransaction.update({
    where: { id: params.id },
    data: {
      nonce,
      rawTx,
      txHash,
      replacedTxHashes,
      // A fresh nonce is a new transaction, not a replacement the policy counts.
      replacements: nonceTaken ? row.replacements : row.replacements + 1,
      value: value.toString(),
      ...feeColumns(fees),
      l1Fee: l1Fee.toString(),
      signedAt: now,
      lastError: nonceTaken
        ? `nonce ${row.nonce} of ${row.fromAddress} was taken by a transaction not signed here; re-signed with nonce ${nonce}`
        : `replaced stuck transaction ${row.txHash} (max ${maxPricePerGas(fees)} wei/gas)`,
    },
  });
  return {
    kind: "replaced",
    rawTx,
    txHash,
    replacedHash: row.txHash,
    replacedTxHashes,
    nonce,
    nonceTaken: nonceTaken ? row.nonce : null,
    fees,
    maxCost,
    value,
  };
}

/**
 * The caller's raised fees where they stay within the rules (each field at least the policy's
 * replacement, the tip within the max fee, the max fee within the ceiling), else the policy's.
 */
function raisedWithin(minimum: FeeFields, raised: FeeFields, policy: TransactionPolicy): FeeFields {
  const ceiling = policy.maxFeePerGas;
  if (raised.type !== minimum.type) return minimum;
  if (ceiling !== null && maxPricePerGas(raised) > ceiling) return minimum;
  if (raised.type === "legacy" || minimum.type === "legacy")
    return maxPricePerGas(raised) >= maxPricePerGas(minimum) ? raised : minimum;
  const valid =
    raised.maxFeePerGas >= minimum.maxFeePerGas &&
    raised.maxPriorityFeePerGas >= minimum.maxPriorityFeePerGas &&
    raised.maxPriorityFeePerGas <= raised.maxFeePerGas;
  return valid ? raised : minimum;
}
