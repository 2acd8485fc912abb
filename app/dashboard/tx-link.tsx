import { explorerTxUrl } from "@/lib/chains/explorer-url";
import { Copyable } from "./copyable";

/** A transaction hash, linked to the chain's explorer when chains.yaml names one, with a Copy button. */
export function TxLink({
  hash,
  explorerUrl,
  testId,
}: {
  hash: string | null;
  explorerUrl: string | null;
  testId: string;
}) {
  if (!hash) return <span className="muted">—</span>;
  const href = explorerTxUrl(explorerUrl, hash);
  return (
    <Copyable value={hash} label={`transaction hash ${hash}`}>
      {href ? (
        <a href={href} rel="noreferrer" target="_blank" data-testid={testId}>
          <code>{hash}</code>
        </a>
      ) : (
        <code data-testid={testId}>{hash}</code>
      )}
    </Copyable>
  );
}
