import { chainHeartbeat } from "./functions/chain-heartbeat";
import { chainWatcher, chainWatchSupervisor } from "./functions/chain-watcher";

/** Every Inngest function of the app, served at /api/inngest. */
export const functions = [chainHeartbeat, chainWatcher, chainWatchSupervisor];
