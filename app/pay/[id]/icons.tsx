// Token and network icons shipped with the app (inline SVG: no request to anyone). Unknown ones
// get a neutral disc with their first letter. Decorative: the name is always written next to them.

const TOKEN_COLORS: Record<string, string> = {
  ETH: "#627eea",
  WETH: "#627eea",
  USDC: "#2775ca",
  USDT: "#26a17b",
  DAI: "#f5ac37",
  MATIC: "#8247e5",
  POL: "#8247e5",
  BNB: "#f0b90b",
};

const NETWORK_COLORS: Record<number, string> = {
  1: "#627eea",
  10: "#ff0420",
  56: "#f0b90b",
  137: "#8247e5",
  8453: "#0052ff",
  42161: "#28a0f0",
  11155111: "#627eea",
  84532: "#0052ff",
  31337: "#6b7280",
};

/** Ether's diamond, drawn in a 24×24 box. */
function Diamond({ fill }: { fill: string }) {
  return (
    <>
      <path d="M12 3l-5.5 9.2L12 15.5l5.5-3.3z" fill={fill} />
      <path d="M12 16.6l-5.5-3.3L12 21l5.5-7.7z" fill={fill} opacity={0.75} />
    </>
  );
}

function Disc({ color, children }: { color: string; children: React.ReactNode }) {
  return (
    <svg viewBox="0 0 24 24" width={22} height={22} aria-hidden="true" focusable="false">
      <circle cx={12} cy={12} r={12} fill={color} />
      {children}
    </svg>
  );
}

function Letter({ text }: { text: string }) {
  return (
    <text
      x={12}
      y={16}
      textAnchor="middle"
      fontSize={11}
      fontWeight={700}
      fill="#fff"
      fontFamily="sans-serif"
    >
      {text}
    </text>
  );
}

function EtherDisc({ color }: { color: string }) {
  return (
    <Disc color={color}>
      <Diamond fill="#fff" />
    </Disc>
  );
}

export function TokenIcon({ symbol }: { symbol: string }) {
  const upper = symbol.toUpperCase();
  const color = TOKEN_COLORS[upper] ?? "#4b5563";
  if (upper === "ETH" || upper === "WETH") return <EtherDisc color={color} />;
  return (
    <Disc color={color}>
      <Letter text={upper === "USDC" || upper === "USDT" || upper === "DAI" ? "$" : upper.charAt(0)} />
    </Disc>
  );
}

export function NetworkIcon({ chainId, name }: { chainId: number; name: string }) {
  const color = NETWORK_COLORS[chainId] ?? "#4b5563";
  if (chainId === 1 || chainId === 11155111) return <EtherDisc color={color} />;
  return (
    <Disc color={color}>
      <Letter text={name.charAt(0).toUpperCase()} />
    </Disc>
  );
}
