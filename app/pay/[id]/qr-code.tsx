"use client";

import { useQuery } from "@tanstack/react-query";
import styles from "./checkout.module.css";

/**
 * QR code of an EIP-681 URI. The server renders the first one; after a partial payment the URI (the
 * remaining amount) changes and the new code is drawn here, with the QR library loaded on demand.
 */
export function QrCode({
  uri,
  initialUri,
  initialSvg,
  label,
}: {
  uri: string;
  initialUri: string | null;
  initialSvg: string | null;
  label: string;
}) {
  const reuse = uri === initialUri && initialSvg !== null;
  const generated = useQuery({
    queryKey: ["qr-code", uri] as const,
    queryFn: async () => (await import("@/lib/checkout/qr-code-svg")).qrCodeSvg(uri),
    enabled: !reuse,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const svg = reuse ? initialSvg : generated.data;
  return (
    <figure className={styles.qr}>
      {svg ? (
        // biome-ignore lint/performance/noImgElement: an inline data: SVG; next/image has nothing to optimise
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
          alt={label}
          width={220}
          height={220}
          data-testid="payment-qr"
          data-uri={uri}
        />
      ) : (
        <div className={styles.qrPlaceholder} role="status">
          Drawing QR code…
        </div>
      )}
      <figcaption className="muted">Scan with your wallet app</figcaption>
    </figure>
  );
}
