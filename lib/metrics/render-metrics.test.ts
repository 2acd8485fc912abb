import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scannerCounters } from "../scanner/scanner-metrics";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { renderMetrics } from "./render-metrics";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("renderMetrics", () => {
  it("reports per chain head, last scanned, lag, RPC state, transfers and the scanner's counters", async () => {
    const now = new Date();
    await database.db.chainCursor.create({
      data: { chain: "metrics-a", chainId: 1, headBlock: 120n, lastScannedBlock: 100n, headUpdatedAt: now },
    });
    await database.db.chainCursor.create({
      data: { chain: "metrics-b", chainId: 2, lastError: "HTTP request failed.", lastErrorAt: now },
    });
    const transfer = (id: string, status: "confirming" | "confirmed" | "reverted") => ({
      id,
      chain: "metrics-a",
      txHash: `0x${id}`,
      logIndex: -1,
      fromAddress: "0x0000000000000000000000000000000000000001",
      toAddress: "0x0000000000000000000000000000000000000002",
      amount: "1",
      blockNumber: 99n,
      blockHash: "0xabc",
      blockTimestamp: now,
      status,
    });
    await database.db.transfer.createMany({
      data: [transfer("t1", "confirmed"), transfer("t2", "confirmed"), transfer("t3", "reverted")],
    });
    scannerCounters("metrics-a").reorgsHandled += 2;
    scannerCounters("metrics-b").rpcErrors += 3;

    const text = await renderMetrics({
      db: database.db,
      chains: [{ name: "metrics-a" }, { name: "metrics-b" }],
    });
    expect(text).toContain("# TYPE ctrip_chain_head_block gauge");
    expect(text).toContain('ctrip_chain_head_block{chain="metrics-a"} 120\n');
    expect(text).not.toContain('ctrip_chain_head_block{chain="metrics-b"}');
    expect(text).toContain('ctrip_chain_last_scanned_block{chain="metrics-a"} 100\n');
    expect(text).toContain('ctrip_chain_lag_blocks{chain="metrics-a"} 20\n');
    expect(text).toContain('ctrip_chain_rpc_up{chain="metrics-a"} 1\n');
    expect(text).toContain('ctrip_chain_rpc_up{chain="metrics-b"} 0\n');
    expect(text).toContain('ctrip_transfers_detected_total{chain="metrics-a",status="confirmed"} 2\n');
    expect(text).toContain('ctrip_transfers_detected_total{chain="metrics-a",status="reverted"} 1\n');
    expect(text).toContain('ctrip_scanner_reorgs_handled_total{chain="metrics-a"} 2\n');
    expect(text).toContain('ctrip_scanner_rpc_errors_total{chain="metrics-b"} 3\n');
    // This process's memory, as Prometheus' Node.js clients name it.
    for (const name of [
      "process_resident_memory_bytes",
      "nodejs_heap_size_total_bytes",
      "nodejs_heap_size_used_bytes",
      "nodejs_external_memory_bytes",
    ])
      expect(Number(new RegExp(`\\n${name} (\\d+)\\n`).exec(text)?.[1])).toBeGreaterThan(0);
    // Every line is a comment or a sample `name{labels} value` of the text format, and no family
    // is rendered twice (the database gauges and the process registry must not collide).
    const lines = text.split("\n").filter((line) => line !== "");
    for (const line of lines)
      expect(line).toMatch(
        /^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+|.* (\+Inf|NaN))$/,
      );
    const types = lines.filter((line) => line.startsWith("# TYPE ")).map((line) => line.split(" ")[2]);
    expect(new Set(types).size).toBe(types.length);
  });
});
