import type { TChain } from "@/lib/config/chains";
import { explorerUrlOf } from "@/lib/dashboard/chain-options";
import type { TSweepObject } from "@/lib/settlement/sweep-object";
import { TxLink } from "../../tx-link";

/**
 * The other coins' sweeps of a fiat-priced payment paid in several coins (the first coin's sweep is
 * shown above it); nothing for a payment swept in one coin.
 */
export function CoinSweeps({ sweeps, chains }: { sweeps: TSweepObject[]; chains: TChain[] }) {
  const others = sweeps.slice(1);
  if (others.length === 0) return null;
  return (
    <table className="data-table" data-testid="coin-sweeps">
      <caption>Paid in several coins: one sweep per coin</caption>
      <thead>
        <tr>
          <th scope="col">Coin</th>
          <th scope="col">Status</th>
          <th scope="col">Amount swept</th>
          <th scope="col">Transaction</th>
          <th scope="col">Network fee</th>
        </tr>
      </thead>
      <tbody>
        {others.map((sweep) => (
          <tr key={sweep.id}>
            <td>
              {sweep.token.symbol} on {sweep.chain}
            </td>
            <td>{sweep.status.replace("_", " ")}</td>
            <td>
              {sweep.amount} {sweep.token.symbol}
            </td>
            <td>
              <TxLink
                hash={sweep.tx_hash}
                explorerUrl={explorerUrlOf(chains, sweep.chain)}
                testId="coin-sweep-tx"
              />
            </td>
            <td>
              {sweep.fee} {sweep.native_symbol}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
