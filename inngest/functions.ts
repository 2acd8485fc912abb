import { applySettingChanges } from "./functions/apply-setting-changes";
import { chainHeartbeat } from "./functions/chain-heartbeat";
import { chainWatcher, chainWatchSupervisor } from "./functions/chain-watcher";
import { executePayout } from "./functions/execute-payout";
import { payoutRelay } from "./functions/payout-relay";
import { sweepPayment } from "./functions/sweep-payment";
import { sweepSupervisor } from "./functions/sweep-supervisor";
import { webhookDelivery } from "./functions/webhook-delivery";
import { webhookRelay } from "./functions/webhook-relay";

/** Every Inngest function of the app, served at /api/inngest. */
export const functions = [
  chainHeartbeat,
  chainWatcher,
  chainWatchSupervisor,
  webhookDelivery,
  webhookRelay,
  sweepPayment,
  sweepSupervisor,
  executePayout,
  payoutRelay,
  applySettingChanges,
];
