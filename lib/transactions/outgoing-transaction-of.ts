import { type Hex, keccak256, parseTransaction, recoverTransactionAddress } from "viem";
import type { Db, Tx } from "../db/client";
import type { OutgoingTransactionPurpose } from "../db/generated/enums";
import { newId } from "../ids";
import { feeColumns, feesOfParsed } from "./sign-outgoing-transaction";
import { WATCHED_SELECT, type WatchedRow } from "./watch-outgoing-transaction";

/**
 * The id of the latest outgoing transaction of a sweep, payout or top-up. One signed before the
 * engine's table existed (recorded only on its owner: raw bytes, replaced hashes) is adopted: its
 * row is created from those bytes, so it is watched and replaced like any other.
 */
export async function outgoingTransactionOf(
  db: Db | Tx,
  params: {
    chain: string;
    purpose: OutgoingTransactionPurpose;
    ownerId: string;
    recorded: { rawTx: string; replacedTxHashes: string[]; signedAt: Date };
  },
): Promise<string> {
  const found = await db.outgoingTransaction.findFirst({
    where: { purpose: params.purpose, ownerId: params.ownerId },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  if (found) return found.id;
  const rawTx = params.recorded.rawTx as Hex;
  const parsed = parseTransaction(rawTx);
  const from = await recoverTransactionAddress({ serializedTransaction: rawTx as never });
  const adopted = await db.outgoingTransaction.upsert({
    where: { chain_fromAddress_nonce: { chain: params.chain, fromAddress: from, nonce: parsed.nonce ?? 0 } },
    update: {},
    create: {
      id: newId("otx"),
      chain: params.chain,
      fromAddress: from,
      nonce: parsed.nonce ?? 0,
      purpose: params.purpose,
      ownerId: params.ownerId,
      toAddress: parsed.to ?? "",
      value: (parsed.value ?? 0n).toString(),
      rawTx,
      txHash: keccak256(rawTx),
      replacedTxHashes: params.recorded.replacedTxHashes,
      replacements: params.recorded.replacedTxHashes.length,
      ...feeColumns(feesOfParsed(parsed)),
      gasLimit: (parsed.gas ?? 0n).toString(),
      signedAt: params.recorded.signedAt,
    },
    select: { id: true },
  });
  return adopted.id;
}

/**
 * The latest outgoing transaction of each owner, read in one query (the rows the watcher needs);
 * owners signed before the engine's table existed are adopted (outgoingTransactionOf).
 */
export async function outgoingTransactionsOf(
  db: Db | Tx,
  params: {
    chain: string;
    purpose: OutgoingTransactionPurpose;
    owners: { ownerId: string; recorded: { rawTx: string; replacedTxHashes: string[]; signedAt: Date } }[];
  },
): Promise<Map<string, WatchedRow>> {
  const rows = await db.outgoingTransaction.findMany({
    where: { purpose: params.purpose, ownerId: { in: params.owners.map((owner) => owner.ownerId) } },
    orderBy: { createdAt: "asc" },
    select: WATCHED_SELECT,
  });
  // Ascending: the latest row of an owner is the one kept.
  const byOwner = new Map(rows.map((row) => [row.ownerId, row]));
  for (const owner of params.owners) {
    if (byOwner.has(owner.ownerId)) continue;
    const id = await outgoingTransactionOf(db, { chain: params.chain, purpose: params.purpose, ...owner });
    byOwner.set(
      owner.ownerId,
      await db.outgoingTransaction.findUniqueOrThrow({ where: { id }, select: WATCHED_SELECT }),
    );
  }
  return byOwner;
}
