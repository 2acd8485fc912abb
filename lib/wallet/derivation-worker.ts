// The worker thread of lib/wallet/address-deriver.ts: derives the deposit addresses it is asked for,
// in order, and posts each one back as soon as it is ready. Public data only (an account xpub and
// indexes): no seed or private key ever reaches this thread.
import { parentPort } from "node:worker_threads";
import { depositAddress } from "./derivation";

type Request = { id: number; xpub: string; first: number; count: number };

parentPort?.on("message", ({ id, xpub, first, count }: Request) => {
  for (let i = 0; i < count; i++) {
    try {
      parentPort?.postMessage({ id: id + i, address: depositAddress(xpub, first + i) });
    } catch (error) {
      parentPort?.postMessage({ id: id + i, error: error instanceof Error ? error.message : String(error) });
    }
  }
});
