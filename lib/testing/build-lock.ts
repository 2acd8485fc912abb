// Test files that run `npm start` from the repository (scripts/*.test.ts) may run in parallel, and
// `npm start` builds the app into the shared `.next` when sources changed: two builds at once break
// each other. A file holds this lock from before its first `npm start` until that start has built
// and served, so the other one finds the build in place.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the build lock of `root`; resolves with its release (idempotent). */
export async function acquireBuildLock(root: string): Promise<() => void> {
  const dir = join(
    tmpdir(),
    `ctrip-build-lock-${createHash("sha256").update(root).digest("hex").slice(0, 12)}`,
  );
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      let held = true;
      return () => {
        if (held) rmSync(dir, { recursive: true, force: true });
        held = false;
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readPid(dir));
      // A holder that died (a killed test run) leaves the folder behind: take it over.
      if (owner > 0 ? !isAlive(owner) : isOlderThan(dir, 30_000))
        rmSync(dir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** The holder's pid; "" while the holder has not written it yet (or died before it could). */
function readPid(dir: string): string {
  try {
    return readFileSync(join(dir, "pid"), "utf8");
  } catch {
    return "";
  }
}

function isOlderThan(dir: string, ms: number): boolean {
  try {
    return Date.now() - statSync(dir).mtimeMs > ms;
  } catch {
    return false;
  }
}
