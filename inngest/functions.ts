import { chainHeartbeat } from "./functions/chain-heartbeat";
import { sweepPayment } from "./functions/sweep-payment";

/** Every Inngest function of the app, served at /api/inngest. */
export const functions = [chainHeartbeat, sweepPayment];
