// Deposit addresses derived ahead of the requests that hand them out, on a worker thread: the
// elliptic-curve work of CKDpub (~0.4 ms per address, the largest part of creating a payment that is
// ours) leaves the thread that serves HTTP. The deposit allocator asks for a whole block when it
// reserves one; the worker posts each address back as it is ready, so a create awaits only its own.
// In Next's server the worker is a bundled chunk (Turbopack bundles `new Worker(new URL(…))`); run
// from TypeScript sources (vitest, tsx scripts) derivation stays on the calling thread unless a test
// turns the worker on, which then runs the sources through tsx. A worker that fails or exits
// hands its outstanding addresses back to the calling thread: nobody waits on a dead worker.
import { Worker } from "node:worker_threads";
import type { Address } from "viem";
import { logger } from "../logger";
import { depositAddress } from "./derivation";

type Waiter = { xpub: string; index: number; resolve(address: Address): void; reject(error: Error): void };
type Reply = { id: number; address?: Address; error?: string };

/** Inside Next's server (built or dev): the worker is a bundled chunk. Anywhere else: TypeScript sources. */
const IN_NEXT = process.env.NEXT_RUNTIME === "nodejs";
const SOURCE = import.meta.url.replace(/address-deriver\.ts$/, "derivation-worker.ts");
/** Worker starts that failed or died before the deriver stays on the calling thread for good. */
const MAX_RESTARTS = 3;

let enabled = IN_NEXT;
let worker: Worker | undefined;
let restarts = 0;
let nextId = 0;
const waiters = new Map<number, Waiter>();
const counts = { onWorker: 0, onCaller: 0 };

/** Where the addresses handed out so far were derived (for tests and the benchmark's notes). */
export function derivationCounts(): Readonly<typeof counts> {
  return { ...counts };
}

/** Turns the worker on or off (tests run from sources, where it is off by default). */
export function useDerivationWorker(on: boolean): void {
  enabled = on;
  restarts = 0;
  if (!on) void stopWorker();
}

/** Stops the worker; outstanding addresses are derived on the calling thread. */
export async function stopWorker(): Promise<void> {
  const running = worker;
  worker = undefined;
  handBack();
  await running?.terminate();
}

/**
 * Deposit addresses `first` … `first + count − 1` of the account behind `xpub`: on the worker, all of
 * them from now on, each settled as it is ready; on the calling thread, each when it is asked for.
 */
export function deriveDepositAddresses(
  xpub: string,
  first: number,
  count: number,
): (index: number) => Promise<Address> {
  const inRange = (index: number) => {
    if (!Number.isInteger(index) || index < first || index >= first + count)
      throw new Error(`deposit index ${index} is outside the derived block ${first}…${first + count - 1}`);
  };
  const running = enabled && restarts <= MAX_RESTARTS ? startedWorker() : undefined;
  if (!running)
    return async (index) => {
      inRange(index);
      return onCaller(xpub, index);
    };
  const id = nextId;
  nextId += count;
  const addresses = Array.from(
    { length: count },
    (_, i) =>
      new Promise<Address>((resolve, reject) =>
        waiters.set(id + i, { xpub, index: first + i, resolve, reject }),
      ),
  );
  // An address nobody claims (the rest of a block at shutdown) must not fail as an unhandled rejection.
  for (const address of addresses) address.catch(() => undefined);
  running.postMessage({ id, xpub, first, count });
  return async (index) => {
    inRange(index);
    return addresses[index - first] as Promise<Address>;
  };
}

function onCaller(xpub: string, index: number): Address {
  const address = depositAddress(xpub, index);
  counts.onCaller++;
  return address;
}

function startedWorker(): Worker | undefined {
  if (worker) return worker;
  try {
    const started = IN_NEXT
      ? new Worker(new URL("./derivation-worker.ts", import.meta.url))
      : // Sources (tests): tsx compiles the worker's TypeScript in the worker thread itself.
        new Worker(
          `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(SOURCE)}, ${JSON.stringify(SOURCE)}))`,
          { eval: true },
        );
    started.unref();
    started.on("message", (reply: Reply) => settle(reply));
    started.on("error", (error) => lost(started, error));
    started.on("exit", (code) => lost(started, `exited with code ${code}`));
    worker = started;
    return started;
  } catch (error) {
    restarts = MAX_RESTARTS + 1;
    logger.warn("the deposit address worker could not start; deriving on the calling thread", { error });
    return undefined;
  }
}

function settle({ id, address, error }: Reply): void {
  const waiter = waiters.get(id);
  if (!waiter) return;
  waiters.delete(id);
  if (address) {
    counts.onWorker++;
    waiter.resolve(address);
  } else waiter.reject(new Error(error ?? "deposit address derivation failed"));
}

function lost(dead: Worker, reason: unknown): void {
  if (worker !== dead) return;
  worker = undefined;
  restarts++;
  logger.warn("the deposit address worker stopped; its addresses are derived on the calling thread", {
    error: reason,
    restarts,
    gave_up: restarts > MAX_RESTARTS,
  });
  handBack();
}

/** Every address still owed by the worker, derived here instead. */
function handBack(): void {
  for (const [id, waiter] of waiters) {
    waiters.delete(id);
    try {
      waiter.resolve(onCaller(waiter.xpub, waiter.index));
    } catch (error) {
      waiter.reject(error as Error);
    }
  }
}
