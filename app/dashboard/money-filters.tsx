import type { ChainOption } from "@/lib/dashboard/chain-options";
import styles from "./dashboard.module.css";

/**
 * The GET filter form of a money list (balance transactions, payouts): chain, token and one
 * enumerated field (type or status). Values go to the URL, so a filtered page can be shared.
 */
export function MoneyFilters({
  label,
  action,
  chains,
  tokens,
  current,
  choice,
}: {
  label: string;
  action: string;
  chains: ChainOption[];
  tokens: string[];
  current: URLSearchParams;
  choice: { name: string; label: string; values: readonly string[] };
}) {
  const select = (name: string, text: string, values: readonly string[]) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{text}</label>
      <select id={`filter-${name}`} name={name} defaultValue={current.get(name) ?? ""}>
        <option value="">All</option>
        {values.map((value) => (
          <option key={value} value={value}>
            {value.replaceAll("_", " ")}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form className={styles.filters} aria-label={label} action={action}>
      {select(
        "chain",
        "Chain",
        chains.map((chain) => chain.name),
      )}
      {select("token", "Token", tokens)}
      {select(choice.name, choice.label, choice.values)}
      <button type="submit" className="button">
        Apply
      </button>
    </form>
  );
}
