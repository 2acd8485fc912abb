// The Inngest functions' metrics and spans, as the embedded runner's (lib/jobs/embedded-runner.ts):
// every run counted in ctrip_job_runs_total by function id and outcome, and every step attempt
// (`step.run`, `step.sendEvent`) in a span carrying the ids its event names.
import { Middleware } from "inngest";
import { countJobRun } from "../lib/metrics/work-metrics";
import { traceInngestStep } from "../lib/observability/trace-jobs";

export class ObservabilityMiddleware extends Middleware.BaseMiddleware {
  readonly id = "ctrip-observability";

  override onRunComplete({ fn }: Middleware.OnRunCompleteArgs): void {
    countJobRun(fn.opts.id, "succeeded");
  }

  /** Each failed attempt of a run, as each failed run of the embedded runner (both are retried). */
  override onRunError({ fn }: Middleware.OnRunErrorArgs): void {
    countJobRun(fn.opts.id, "failed");
  }

  override wrapStepHandler({ fn, ctx, stepInfo, next }: Middleware.WrapStepHandlerArgs): Promise<unknown> {
    return traceInngestStep(
      { job: fn.opts.id, step: stepInfo.options.id, runId: ctx.runId, eventData: ctx.event?.data },
      () => next(),
    );
  }
}
