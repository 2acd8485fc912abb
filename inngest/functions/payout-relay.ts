import { cron } from "inngest";
import type { Db } from "../../lib/db/client";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { relayApprovedPayouts } from "../../lib/payouts/relay-approved-payouts";
import { inngest, payoutApproved } from "../client";

export type PayoutRelayDependencies = {
  getDb: () => Db;
  /** Relay rounds per run and the pause between them: one run covers about a minute. */
  rounds?: number;
  pause?: string;
  /** Sends the `payout/approved` events; defaults to `inngest.send` (tests capture them). */
  send?: (events: { name: string; id: string; data: { payout_id: string } }[]) => Promise<unknown>;
};

/**
 * Inngest mode: every minute (cron granularity), a run that turns approved payouts into
 * `payout/approved` events (id = payout id: Inngest drops duplicates) about once a second, so
 * approval → execute-payout run stays around a second.
 */
export function createPayoutRelay({
  getDb,
  rounds = 55,
  pause = "1s",
  send = (events) => inngest.send(events),
}: PayoutRelayDependencies) {
  return inngest.createFunction(
    { id: "payout-relay", triggers: [cron("* * * * *")], concurrency: { limit: 1 } },
    async ({ step }) => {
      let relayed = 0;
      for (let round = 1; round <= rounds; round++) {
        const result = await step.run(`relay-${round}`, () =>
          relayApprovedPayouts(getDb(), async (payoutIds) => {
            await send(
              payoutIds.map((payoutId) => ({
                ...payoutApproved.create({ payout_id: payoutId }),
                id: payoutId,
              })),
            );
          }),
        );
        relayed += result.payouts;
        if (round < rounds) await step.sleep(`pause-${round}`, pause);
      }
      return { relayed };
    },
  );
}

export const payoutRelay = createPayoutRelay({ getDb: () => loadJobContext().db });
