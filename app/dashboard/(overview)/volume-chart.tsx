import type { TokenVolume } from "@/lib/dashboard/get-received-volume";
import styles from "../dashboard.module.css";

const WIDTH = 300;
const HEIGHT = 80;

/** Daily received volume of one token as SVG bars (server-rendered: no chart library shipped). */
function TokenChart({ series }: { series: TokenVolume }) {
  const values = series.days.map((day) => BigInt(day.amountBaseUnits));
  // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints
  const max = values.reduce((a, b) => (b > a ? b : a), 0n);
  const slot = WIDTH / series.days.length;
  return (
    <figure className={styles.chart} data-testid={`volume-${series.chain}-${series.symbol}`}>
      <figcaption>
        <strong>
          {series.total} {series.symbol}
        </strong>{" "}
        <span className="muted">on {series.chain}, last 30 days</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${series.symbol} received per day on ${series.chain}: ${series.total} in total`}
        preserveAspectRatio="none"
      >
        {series.days.map((day, index) => {
          const value = values[index] ?? 0n;
          // bigint ratio in per-mille, so 78-digit amounts never pass through a float before scaling.
          const height = max === 0n ? 0 : (Number((value * 1000n) / max) / 1000) * (HEIGHT - 2);
          return (
            <rect
              key={day.day}
              x={index * slot + 1}
              y={HEIGHT - Math.max(height, value > 0n ? 1 : 0)}
              width={Math.max(slot - 2, 1)}
              height={Math.max(height, value > 0n ? 1 : 0)}
              rx={1}
            >
              {/* One string child: React treats <title> as document metadata unless it is plain text. */}
              <title>{`${day.day}: ${day.amount} ${series.symbol}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

export function VolumeChart({ volume }: { volume: TokenVolume[] }) {
  if (volume.length === 0) return <p className="muted">No confirmed payments in the last 30 days yet.</p>;
  return (
    <div className={styles.charts}>
      {volume.map((series) => (
        <TokenChart key={`${series.chain}:${series.symbol}`} series={series} />
      ))}
    </div>
  );
}
