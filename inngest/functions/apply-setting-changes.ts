import { cron } from "inngest";
import type { JobContext } from "../../lib/jobs/jobs";
import { loadJobContext } from "../../lib/jobs/start-background-jobs";
import { applyDueSettingChanges } from "../../lib/settlement/apply-due-setting-changes";
import { inngest } from "../client";

export type ApplySettingChangesDependencies = {
  /** The database and chains to use; tests pass a test database (and a clock). */
  getContext: () => Pick<JobContext, "db" | "chains">;
  now?: () => Date;
};

/**
 * Every minute, applies the scheduled money-routing changes whose delay has passed: the same service
 * as the embedded runner's `setting-changes` job; each change is claimed by a conditional update, so
 * two runs never apply one twice.
 */
export function createApplySettingChanges({ getContext, now }: ApplySettingChangesDependencies) {
  return inngest.createFunction(
    { id: "apply-setting-changes", triggers: [cron("* * * * *")], concurrency: { limit: 1 } },
    async ({ step }) =>
      step.run("apply-due-setting-changes", async () => {
        const { db, chains } = getContext();
        return applyDueSettingChanges({ db, chains, now });
      }),
  );
}

export const applySettingChanges = createApplySettingChanges({ getContext: loadJobContext });
