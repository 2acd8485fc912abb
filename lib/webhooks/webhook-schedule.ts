/**
 * Delay before each attempt after the first failure, in ms (the first attempt is immediate): about
 * three days in all (DESIGN.md "Webhooks"). After the last one fails the delivery is `failed`.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  14 * 3_600_000,
  20 * 3_600_000,
  24 * 3_600_000,
];

/** When to try again after `attemptsMade` attempts failed; null when the schedule is exhausted. */
export function nextAttemptAt(
  schedule: readonly number[],
  attemptsMade: number,
  failedAt: Date,
): Date | null {
  const delay = schedule[attemptsMade - 1];
  return delay === undefined ? null : new Date(failedAt.getTime() + delay);
}
