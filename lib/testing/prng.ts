/** mulberry32: a small seeded PRNG, so a failing randomized run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The run's seed: `envName` replays a run, otherwise a fresh one (printed by the test's title). */
export function seedFrom(envName: string): number {
  const fromEnv = process.env[envName];
  return fromEnv ? Number(fromEnv) : Date.now() % 2 ** 31;
}
