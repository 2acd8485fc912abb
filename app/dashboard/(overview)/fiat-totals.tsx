import type { TFiatTotals } from "@/lib/dashboard/get-fiat-totals";

/** The last 30 days' received total in the display currency, and what it leaves out (never invented). */
export function FiatTotals({ totals }: { totals: TFiatTotals }) {
  const { currency } = totals;
  return (
    <div data-testid="fiat-totals">
      <p>
        <strong data-testid="fiat-total">
          {totals.total} {currency}
        </strong>{" "}
        <span className="muted">received in the last 30 days (display currency {currency})</span>
      </p>
      <ul className="muted">
        <li>
          {totals.fromFiatPayments} {currency} from payments priced in {currency}
        </li>
        {totals.converted.map((coin) => (
          <li key={`${coin.chain}:${coin.symbol}`}>
            {coin.amount} on {coin.chain} ≈ {coin.value} {currency} at today&apos;s rate ({coin.rate})
          </li>
        ))}
        {totals.notConverted.map((entry) => (
          <li key={entry.label}>
            {entry.amount} not included: {entry.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
