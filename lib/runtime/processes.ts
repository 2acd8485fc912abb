import { spawn } from "node:child_process";

export type ManagedProcess = { name: string; stop(): Promise<void> };

/** Stops processes in reverse start order (the app before the node and the database it uses). */
export async function stopAll(processes: ManagedProcess[], log: (message: string) => void): Promise<void> {
  for (const process of [...processes].reverse()) {
    try {
      await process.stop();
      log(`${process.name} stopped`);
    } catch (error) {
      log(`${process.name} did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  processes.length = 0;
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function runChild(
  label: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}
