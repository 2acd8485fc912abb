import { CopyButton } from "@/app/_components/copy-button";
import { explorerTxUrl } from "@/lib/chains/explorer-url";

/** 0x1234abcd…9f0e: enough to recognise a hash, short enough for a table cell on a phone. */
export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 10)}…${hash.slice(-4)}` : hash;
}

/**
 * A transaction hash, shortened, with a copy button and a link to the chain's explorer when
 * chains.yaml names one. The full hash stays in the page (`testId`, hidden from screen readers,
 * which read it from the link's and the button's labels).
 */
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
  const short = <code title={hash}>{shortHash(hash)}</code>;
  return (
    <span className="hash">
      {href ? (
        <a href={href} rel="noreferrer" target="_blank" aria-label={`Transaction ${hash} on the explorer`}>
          {short}
        </a>
      ) : (
        short
      )}
      <code className="visually-hidden" aria-hidden="true" data-testid={testId}>
        {hash}
      </code>{" "}
      <CopyButton value={hash} label={`Copy transaction hash ${hash}`} />
    </span>
  );
}
