import { type Address, type Hex, keccak256, parseTransaction } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { feeModelOf } from "./fees/fee-model";
import { quoteL1Fee } from "./fees/l1-fee";
import { quoteFees } from "./fees/quote-fees";
import { replacementFees } from "./fees/replacement-fees";
import { feeFieldsOf, maxPricePerGas, maxTransactionCost } from "./fees/transaction-cost";
import type { TransactionPolicy } from "./fees/transaction-policy";
import { feeColumns, feesOfParsed } from "./sign-outgoing-transaction";

export type ReplaceOutcome =
  /** Another runner holds it, it is final or paused, or not stuck yet: nothing done. */
  | { kind: "not_stuck" }
  /** One of its transactions is mined (or its nonce used): the watcher records it. */
  | { kind: "mined" }
  /** The caller could not pay the higher fee yet (beforeSign said no): tried again next pass. */
  | { kind: "waiting" }
  /** Past the policy (max replacements or fee ceiling): paused with this reason, alert raised. */
  | { kind: "paused"; reason: string }
  /** Re-signed and recorded: broadcast `rawTx` once the caller commits. */
  | { kind: "replaced"; rawTx: Hex; txHash: Hex; replacedHash: string; maxCost: bigint; value: bigint };

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
  /** The value of the replacement (a native sweep sends its balance less the new fee); default: same. */
  replacementValue?: (cost: ReplacementCost) => Promise<bigint> | bigint;
  /** Reserve or check the funds of the higher fee; false: not now (the outcome is `waiting`). */
  beforeSign?: (cost: ReplacementCost) => Promise<boolean>;
  logger?: Logger;
};

/**
 * Replaces a stuck outgoing transaction under the chain's policy, in the caller's database
 * transaction (the row is locked, SKIP LOCKED): once `policy.stuckAfterMs` has passed since it was
 * signed and none of its transactions is mined, it is re-signed with the same nonce and both fees
 * raised by the policy's bump (at least the current quote), and recorded before the caller
 * broadcasts it; the replaced hash is kept (it may still be mined). At the policy's maximum number
 * of replacements, or when the raise would pass its fee ceiling, the transaction is paused instead:
 * status `paused`, a reason, an error log; metrics and health show it (ctrip_outgoing_transactions_paused).
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
    select: {
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
    },
  });
  const stuckAfterMs = params.stuckAfterMs ?? policy.stuckAfterSeconds * 1000;
  if (now.getTime() - row.signedAt.getTime() < stuckAfterMs) return { kind: "not_stuck" };
  if (await minedReceipt(client, [row.txHash, ...row.replacedTxHashes])) return { kind: "mined" };
  const minedNonces = await client.getTransactionCount({
    address: row.fromAddress as Address,
    blockTag: "latest",
  });
  if (minedNonces > row.nonce) return { kind: "mined" };
  if (signer.address !== row.fromAddress)
    throw new Error(`outgoing transaction ${params.id}: the signer is not ${row.fromAddress}`);

  const pause = async (reason: string, message: string): Promise<ReplaceOutcome> => {
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
    return { kind: "paused", reason: message };
  };
  const stuck = parseTransaction(row.rawTx as Hex);
  const previous = feesOfParsed(stuck);
  const current = feeFieldsOf(await quoteFees(client, { chain: params.chain, maxAgeMs: 0 }));
  const next = replacementFees({ previous, current, replacementsMade: row.replacements, policy });
  if ("exceeded" in next)
    return next.exceeded === "max_replacements"
      ? pause(
          "max_replacements",
          `transaction ${row.txHash} not mined after ${row.replacements} replacements; needs an operator`,
        )
      : pause(
          "fee_ceiling",
          `transaction ${row.txHash} not mined; its replacement would pay more than the chain's ceiling of ` +
            `${policy.maxFeePerGas} wei/gas: needs an operator`,
        );
  const fees = next.fees;
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
  const rawTx = await signer.signTransaction({ ...unsigned, value, nonce: row.nonce, ...fees });
  const txHash = keccak256(rawTx);
  await tx.outgoingTransaction.update({
    where: { id: params.id },
    data: {
      rawTx,
      txHash,
      replacedTxHashes: [...row.replacedTxHashes, row.txHash],
      replacements: row.replacements + 1,
      value: value.toString(),
      ...feeColumns(fees),
      l1Fee: l1Fee.toString(),
      signedAt: now,
      lastError: `replaced stuck transaction ${row.txHash} (max ${maxPricePerGas(fees)} wei/gas)`,
    },
  });
  return { kind: "replaced", rawTx, txHash, replacedHash: row.txHash, maxCost, value };
}
