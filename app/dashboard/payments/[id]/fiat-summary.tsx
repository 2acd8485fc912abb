import type { TPaymentObject } from "@/lib/payments/payment-object";

/**
 * A fiat-priced payment's price and value received, the coins it accepts with their quotes, the coins
 * received (nothing for a single-coin payment). Transfers it does not accept: UnattributedTransfers.
 */
export function FiatSummary({ payment }: { payment: TPaymentObject }) {
  if (!payment.price) return null;
  const currency = payment.price.currency;
  return (
    <section className="card" aria-labelledby="fiat-heading" data-testid="fiat-summary">
      <h2 id="fiat-heading">
        Priced at {payment.price.amount} {currency}
      </h2>
      <p data-testid="fiat-value-received">
        Received {payment.value_received} {currency}
        {payment.received?.length
          ? ` (${payment.received.map((coin) => `${coin.amount} ${coin.token.symbol} on ${coin.chain}`).join(" + ")})`
          : ""}
      </p>
      <table>
        <caption className="muted">Options offered to the payer</caption>
        <thead>
          <tr>
            <th scope="col">Coin</th>
            <th scope="col">Amount</th>
            <th scope="col">Rate ({currency})</th>
            <th scope="col">Quote until</th>
          </tr>
        </thead>
        <tbody>
          {(payment.options ?? []).map((option) => (
            <tr key={`${option.chain}:${option.token.symbol}`}>
              <td>
                {option.token.symbol} on {option.chain}
              </td>
              <td>{option.amount}</td>
              <td>{option.rate}</td>
              <td>
                <time dateTime={option.quote_expires_at}>{option.quote_expires_at}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
