// The embedded devnet survives a power loss: Anvil dumps its state every second, and a state file
// torn by a crash mid-dump is never loaded — the last whole copy is.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createTestClient, http } from "viem";
import { describe, expect, it } from "vitest";
import { startAnvil } from "./anvil";
import { freePort } from "./free-port";

describe("Anvil state file", () => {
  it("is dumped within about a second of new blocks, and a torn file falls back to the last whole copy", {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "anvil-state-"));
    const stateFile = join(dir, "state.json");
    const lines: string[] = [];
    const first = await startAnvil({ port: await freePort(), stateFile, onLog: (line) => lines.push(line) });
    const transport = http(first.rpcUrl);
    await createTestClient({ mode: "anvil", transport }).mine({ blocks: 25 });
    // Killed without a chance to write its state: only the periodic dump counts.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    first.process.kill("SIGKILL");
    await new Promise((resolve) => first.process.once("exit", resolve));
    expect(JSON.parse(readFileSync(stateFile, "utf8")).best_block_number).toBeGreaterThanOrEqual(25);

    const second = await startAnvil({ port: await freePort(), stateFile, onLog: (line) => lines.push(line) });
    const client = createPublicClient({ transport: http(second.rpcUrl) });
    expect(await client.getBlockNumber()).toBeGreaterThanOrEqual(25n);
    await second.stop();

    // A dump cut in half by a power loss.
    const whole = readFileSync(stateFile, "utf8");
    writeFileSync(stateFile, whole.slice(0, Math.floor(whole.length / 2)));
    const third = await startAnvil({ port: await freePort(), stateFile, onLog: (line) => lines.push(line) });
    const recovered = createPublicClient({ transport: http(third.rpcUrl) });
    expect(await recovered.getBlockNumber()).toBeGreaterThanOrEqual(25n);
    await third.stop();
    expect(lines.some((line) => /was incomplete \(moved to .*corrupt-\d+\); restarted from/.test(line))).toBe(
      true,
    );
  });
});
