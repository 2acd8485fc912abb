import { explorerTxUrl } from "@/lib/chains/explorer-url";

/** A transaction hash, linked to the chain's explorer when chains.yaml names one. */
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
  return href ? (
    <a href={href} rel="noreferrer" target="_blank" data-testid={testId}>
      <code>{hash}</code>
    </a>
  ) : (
    <code data-testid={testId}>{hash}</code>
  );
}
