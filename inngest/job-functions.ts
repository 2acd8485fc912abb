import { cron, eventType, NonRetriableError } from "inngest";
import { z } from "zod";
import type { TChain } from "../lib/config/chains";
import type { JobDeclaration } from "../lib/jobs/define-job";
import { type JobContext, jobs } from "../lib/jobs/jobs";
import { loadJobContext } from "../lib/jobs/start-background-jobs";
import { inngest } from "./client";

/** The data of a job's chain event (`chainEvent` of a declaration): which chain to run. */
export const ZChainJobRequested = z.object({ chain: z.string().min(1) });
export type TChainJobRequested = z.infer<typeof ZChainJobRequested>;

/** The typed event of a declaration's `chainEvent` (send it with `.create({ chain })`). */
export function chainJobEvent(name: string) {
  return eventType(name, { schema: ZChainJobRequested });
}

/** The Inngest concurrency option of a declaration: per chain keys on the chain event's `chain`. */
export function inngestConcurrency(declaration: Pick<JobDeclaration, "concurrency">) {
  const { limit, per } = declaration.concurrency;
  return per === "chain" ? { limit, key: "event.data.chain" } : { limit };
}

/**
 * The Inngest function of one job declaration (lib/jobs/jobs.ts): its cron (and chain event) as
 * triggers, its concurrency, and one `step.run` per declared step, the same steps the embedded
 * runner runs. A run started by the chain event covers that chain only; with a `loop` it then
 * sleeps and re-arms itself, and the cron run only restarts the loops of stalled chains.
 */
export function createJobFunction(declaration: JobDeclaration, getContext: () => JobContext) {
  const chainEvent = declaration.chainEvent ? chainJobEvent(declaration.chainEvent) : undefined;
  return inngest.createFunction(
    {
      id: declaration.id,
      triggers: chainEvent ? [cron(declaration.cron), chainEvent] : [cron(declaration.cron)],
      concurrency: inngestConcurrency(declaration),
    },
    async ({ event, step }) => {
      // The job's lines carry its name, as the embedded runner's do (and the step span's trace id).
      const shared = getContext();
      const context = { ...shared, logger: shared.logger.child({ job: declaration.id }) };
      let targets: TChain[] = context.chains;
      const byEvent = chainEvent !== undefined && event.name === chainEvent.name;
      if (byEvent) {
        const { chain: name } = ZChainJobRequested.parse(event.data);
        const chain = context.chains.find((candidate) => candidate.name === name);
        if (!chain) throw new NonRetriableError(`unknown chain ${name}`);
        targets = [chain];
      }

      const chains: Record<string, Record<string, unknown>> = {};
      const chainSteps = declaration.chainSteps;
      // A looping job's cron run only restarts stalled loops: scanning here would mark the chain as
      // scanned and hide a dead loop.
      const loop = declaration.loop;
      if (chainSteps && !(loop && !byEvent))
        await Promise.all(
          targets.map(async (chain) => {
            const outputs: Record<string, unknown> = {};
            for (const declared of chainSteps(context, chain))
              outputs[declared.id] = await step.run(declared.id, () => declared.run());
            chains[chain.name] = outputs;
          }),
        );
      const steps: Record<string, unknown> = {};
      if (!byEvent)
        for (const declared of declaration.steps?.(context) ?? [])
          steps[declared.id] = await step.run(declared.id, () => declared.run());

      let restarted: string[] = [];
      if (loop && chainEvent) {
        if (byEvent)
          for (const chain of targets) {
            await step.sleep(`wait-${chain.name}`, loop.pause(chain));
            await step.sendEvent(`rearm-${chain.name}`, chainEvent.create({ chain: chain.name }));
          }
        else {
          restarted = await step.run("find-stalled-chains", () => loop.stalledChains(context));
          if (restarted.length > 0)
            await step.sendEvent(
              "restart-loops",
              restarted.map((chain) => chainEvent.create({ chain })),
            );
        }
      }
      return { chains, steps, restarted };
    },
  );
}

/** One Inngest function per declared job, on the process-wide job context. */
export const jobFunctions = jobs.map((job) => createJobFunction(job, loadJobContext));
