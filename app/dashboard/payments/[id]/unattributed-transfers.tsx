import type { TChain } from "@/lib/config/chains";
import { explorerUrlOf, networkLabel } from "@/lib/dashboard/chain-options";
import { formatAmount } from "@/lib/money/amounts";
import type { TPaymentObject } from "@/lib/payments/payment-object";
import { tokenOfCoin } from "@/lib/settlement/sweep-coins";
import { checksummed } from "@/lib/validation/address";
import { TxLink } from "../../tx-link";
import { UnattributedResolveForms } from "./unattributed-resolve-forms";

type Transfer = NonNullable<TPaymentObject["unattributed_transfers"]>[number];

/** What happened to a transfer, in words: waiting for a decision, being moved, moved. */
function outcomeOf(transfer: Transfer, amount: string): string {
  if (transfer.status === "reverted") return "Reverted by a chain reorganisation: nothing arrived.";
  if (!transfer.resolution) return "Waiting for your decision.";
  const moved = transfer.sweep?.status === "confirmed";
  if (transfer.resolution === "refunded")
    return moved
      ? `Sent back to ${transfer.refund_address}.`
      : `Being sent back to ${transfer.refund_address}${transfer.status === "confirming" ? " once the transfer is confirmed" : ""}.`;
  return moved
    ? `Kept: ${amount} swept to your settlement address.`
    : `Kept: being swept to your settlement address${transfer.status === "confirming" ? " once the transfer is confirmed" : ""}.`;
}

/**
 * Coins sent to the payment's address that it does not accept (another token, another network):
 * recorded, never credited to the payment, and resolved here: keep them (swept to the treasury or
 * the balance) or send them back to the payer.
 */
export function UnattributedTransfers({
  payment,
  chains,
  canWrite,
  canRefund,
}: {
  payment: TPaymentObject;
  chains: TChain[];
  canWrite: boolean;
  canRefund: boolean;
}) {
  const transfers = payment.unattributed_transfers ?? [];
  if (transfers.length === 0) return null;
  return (
    <section className="card" aria-labelledby="unattributed-heading" data-testid="unattributed-transfers">
      <h2 id="unattributed-heading">Coins this payment does not accept</h2>
      <p className="muted">
        Sent to this payment&apos;s address in a coin or on a network it does not accept: recorded, not
        counted towards the price. Keep them (they are swept to your settlement address, or your balance) or
        send them back to the payer.
      </p>
      <table className="data-table">
        <caption>Transfers not accepted by this payment</caption>
        <thead>
          <tr>
            <th scope="col">Coin</th>
            <th scope="col">Amount</th>
            <th scope="col">From</th>
            <th scope="col">Transaction</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {transfers.map((transfer) => {
            const token = tokenOfCoin(chains, {
              chain: transfer.chain,
              tokenAddress: transfer.token_address,
            });
            const amount = token
              ? `${formatAmount(BigInt(transfer.amount_base_units), token.decimals)} ${token.symbol}`
              : `${transfer.amount_base_units} base units`;
            const network = networkLabel(chains, transfer.chain);
            const key = `${transfer.chain}:${transfer.tx_hash}:${transfer.log_index}`;
            const open = !transfer.resolution && transfer.status !== "reverted";
            return (
              <tr key={key} data-testid="unattributed-transfer">
                <td>
                  {token?.symbol ?? transfer.token_address ?? "native coin"} on {network}
                </td>
                <td>{amount}</td>
                <td>
                  <code>{checksummed(transfer.from)}</code>
                </td>
                <td>
                  <TxLink
                    hash={transfer.tx_hash}
                    explorerUrl={explorerUrlOf(chains, transfer.chain)}
                    testId="unattributed-tx"
                  />
                </td>
                <td>
                  <span data-testid="unattributed-outcome">{outcomeOf(transfer, amount)}</span>
                  {open && canWrite ? (
                    <UnattributedResolveForms
                      paymentId={payment.id}
                      transfer={{
                        chain: transfer.chain,
                        txHash: transfer.tx_hash,
                        logIndex: transfer.log_index,
                        from: checksummed(transfer.from),
                      }}
                      amount={amount}
                      network={network}
                      canRefund={canRefund}
                    />
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
