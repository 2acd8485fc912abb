import type { TPaymentObject } from "@/lib/payments/payment-object";

/**
 * A fiat-priced payment's price and value received, the coins it accepts with their quotes, the coins
 * received, and the transfers it does not accept (nothing for a single-coin payment).
 */
export function FiatSummary({ payment }: { payment: TPaymentObject }) {
  if (!payment.price) return null;
  const currency = payment.price.currency;
  const unattributed = payment.unattributed_transfers ?? [];
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
      {unattributed.length > 0 ? (
        <p role="status" data-testid="unattributed-transfers">
          {unattributed.length} transfer{unattributed.length === 1 ? "" : "s"} in a coin or on a chain this
          payment does not accept (
          {unattributed.map((t) => `${t.amount_base_units} base units on ${t.chain}`).join(", ")}): recorded,
          not credited; resolve through the API.
        </p>
      ) : null}
    </section>
  );
}
