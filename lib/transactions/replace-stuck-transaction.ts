import { type Address, type Hex, keccak256, parseTransaction } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { minedReceipt } from "../chains/mined-receipt";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { Logger } from "../logger";
import { feeColumns } from "./sign-outgoing-transaction";
import { feesOfParsed, maxFeeOf, quoteTransactionFees, replacementFees } from "./transaction-fees";
import type { TransactionPolicy } from "./transaction-policy";

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
  client: Pick<
    ChainClient,
    "getTransactionReceipt" | "getTransactionCount" | "estimateFeesPerGas" | "getGasPrice"
  >,
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
  if (now.getTime() - row.signedAt.getTime() < policy.stuckAfterMs) return { kind: "not_stuck" };
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
  if (row.replacements >= policy.maxReplacements)
    return pause(
      "max_replacements",
      `transaction ${row.txHash} not mined after ${row.replacements} replacements; needs an operator`,
    );
  const stuck = parseTransaction(row.rawTx as Hex);
  const stuckFees = feesOfParsed(stuck);
  const fees = replacementFees(stuckFees, await quoteTransactionFees(client), policy.bumpPermille);
  if (policy.maxFeePerGas !== null && maxFeeOf(fees) > policy.maxFeePerGas)
    return pause(
      "fee_ceiling",
      `transaction ${row.txHash} not mined; its replacement needs ${maxFeeOf(fees)} wei/gas, over the ` +
        `chain's ceiling of ${policy.maxFeePerGas}: needs an operator`,
    );
  const gas = stuck.gas ?? 0n;
  const l1Fee = BigInt(row.l1Fee.toFixed());
  const maxCost = gas * maxFeeOf(fees) + l1Fee;
  const cost = { maxCost, extraCost: maxCost - (gas * maxFeeOf(stuckFees) + l1Fee) };
  const value = params.replacementValue ? await params.replacementValue(cost) : (stuck.value ?? 0n);
  if (params.beforeSign && !(await params.beforeSign(cost))) return { kind: "waiting" };
  const rawTx = await signer.signTransaction({
    chainId: params.chain.chainId,
    to: stuck.to ?? undefined,
    value,
    data: stuck.data,
    gas,
    nonce: row.nonce,
    ...fees,
  });
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
      signedAt: now,
      lastError: `replaced stuck transaction ${row.txHash} (${maxFeeOf(fees)} wei/gas)`,
    },
  });
  return { kind: "replaced", rawTx, txHash, replacedHash: row.txHash, maxCost, value };
}
