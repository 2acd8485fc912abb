import { executePayout } from "./functions/execute-payout";
import { payoutRelay } from "./functions/payout-relay";
import { sweepPayment } from "./functions/sweep-payment";
import { webhookDelivery } from "./functions/webhook-delivery";
import { webhookRelay } from "./functions/webhook-relay";
import { jobFunctions } from "./job-functions";

/**
 * Every Inngest function of the app, served at /api/inngest: one per declared job (lib/jobs/jobs.ts,
 * generated in job-functions.ts), plus the per-entity fan-out that only Inngest has (a run per
 * confirmed payment, approved payout and webhook delivery, started by the relays) calling the same
 * services; the declared jobs remain their safety net.
 */
export const functions = [
  ...jobFunctions,
  webhookDelivery,
  webhookRelay,
  sweepPayment,
  executePayout,
  payoutRelay,
];
