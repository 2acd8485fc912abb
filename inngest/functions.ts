import { chainHeartbeat } from "./functions/chain-heartbeat";

/** Every Inngest function of the app, served at /api/inngest. */
export const functions = [chainHeartbeat];
