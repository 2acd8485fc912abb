import { type Address, type Hex, keccak256 } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { ChainClient } from "../chains/public-client";
import type { TChain } from "../config/chains";
import type { Tx } from "../db/client";
import type { OutgoingTransactionPurpose } from "../db/generated/enums";
import { newId } from "../ids";
import { allocateNonce } from "./allocate-nonce";
import { type FeeFields, feeFieldsOf } from "./fees/transaction-cost";

/** What to send: the caller (sweep, payout, top-up) says what, the engine how. */
export type OutgoingCall = { to: Address; value: bigint; data?: Hex };

export type SignOutgoingTransactionParams = {
  chain: TChain;
  signer: PrivateKeyAccount;
  purpose: OutgoingTransactionPurpose;
  /** The sweep, payout or top-up this transaction belongs to. */
  ownerId: string;
  call: OutgoingCall;
  gas: bigint;
  fees: FeeFields;
  /** OP-stack L1 data fee reserved on top of gas × max fee (0 elsewhere). */
  l1Fee?: bigint;
  signedAt: Date;
};

export type SignedOutgoingTransaction = { id: string; rawTx: Hex; txHash: Hex; nonce: number; from: Address };

/**
 * Allocates the sender's next nonce, signs, and records the transaction (raw bytes, fees) in the
 * caller's database transaction. Nothing is broadcast here: once the caller commits, the bytes are
 * broadcast (broadcastRawTransaction) and, after a crash, re-broadcast as they are, so a
 * transaction is never sent twice nor lost.
 */
export async function signOutgoingTransaction(
  tx: Tx,
  client: Pick<ChainClient, "getTransactionCount">,
  params: SignOutgoingTransactionParams,
): Promise<SignedOutgoingTransaction> {
  const { chain, signer, call, gas, fees } = params;
  const nonce = await allocateNonce(tx, client, { chain: chain.name, address: signer.address });
  const rawTx = await signer.signTransaction({
    chainId: chain.chainId,
    to: call.to,
    value: call.value,
    ...(call.data ? { data: call.data } : {}),
    gas,
    nonce,
    ...feeFieldsOf(fees),
  });
  const id = newId("otx");
  const txHash = keccak256(rawTx);
  await tx.outgoingTransaction.create({
    data: {
      id,
      chain: chain.name,
      fromAddress: signer.address,
      nonce,
      purpose: params.purpose,
      ownerId: params.ownerId,
      toAddress: call.to,
      value: call.value.toString(),
      rawTx,
      txHash,
      ...feeColumns(fees),
      gasLimit: gas.toString(),
      l1Fee: (params.l1Fee ?? 0n).toString(),
      signedAt: params.signedAt,
    },
    select: { id: true },
  });
  return { id, rawTx, txHash, nonce, from: signer.address };
}

/** The fee columns of outgoing_transactions for these fees. */
export function feeColumns(fees: FeeFields) {
  return fees.type === "eip1559"
    ? {
        feeType: "eip1559",
        maxFeePerGas: fees.maxFeePerGas.toString(),
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      }
    : { feeType: "legacy", maxFeePerGas: fees.gasPrice.toString(), maxPriorityFeePerGas: null };
}

/** The fee fields of a signed transaction (viem's parseTransaction). */
export function feesOfParsed(parsed: {
  type?: string;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  gasPrice?: bigint;
}): FeeFields {
  return parsed.type === "eip1559"
    ? {
        type: "eip1559",
        maxFeePerGas: parsed.maxFeePerGas ?? 0n,
        maxPriorityFeePerGas: parsed.maxPriorityFeePerGas ?? 0n,
      }
    : { type: "legacy", gasPrice: parsed.gasPrice ?? 0n };
}
