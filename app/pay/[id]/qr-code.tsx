"use client";

import { useEffect, useState } from "react";
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
  const [generated, setGenerated] = useState<{ uri: string; svg: string | null } | null>(null);
  useEffect(() => {
    if (reuse) return;
    let current = true;
    import("@/lib/checkout/qr-code-svg")
      .then(({ qrCodeSvg }) => qrCodeSvg(uri))
      .then(
        (svg) => current && setGenerated({ uri, svg }),
        () => current && setGenerated({ uri, svg: null }),
      );
    return () => {
      current = false;
    };
  }, [uri, reuse]);
  const drawn = generated?.uri === uri ? generated : undefined;
  const svg = reuse ? initialSvg : drawn?.svg;
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
          {drawn ? "No QR code: copy the amount and address below." : "Drawing QR code…"}
        </div>
      )}
      <figcaption className="muted">Scan with your wallet app</figcaption>
    </figure>
  );
}
