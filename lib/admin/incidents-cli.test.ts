// `npm run admin -- incidents list|ack`: the operator sees every open incident (with how many
// merchants hid a chain-wide one from their dashboard) and acknowledges one or all, which clears
// /api/health and closes the incident on every dashboard.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userActor } from "../access/actor";
import type { TChain } from "../config/chains";
import {
  acknowledgeChainIncident,
  listOpenChainIncidents,
  recordChainIncident,
} from "../health/chain-incidents";
import { getHealth } from "../health/get-health";
import { createMerchant } from "../merchants/create-merchant";
import { createTestDatabase, type TestDatabase } from "../testing/database";
import { testChain } from "../testing/test-chain";
import { runAdminCommand, UsageError } from "./run-admin-command";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const chain: TChain = testChain({ name: "cli-incidents" });

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const incident = (detail: string) =>
  recordChainIncident(database.db, { chain: chain.name, kind: "deep_reorg", depth: 9, detail });

describe("admin incidents", () => {
  it("lists open incidents and acknowledges one or all for everyone", { timeout: 120_000 }, async () => {
    const shop = await createMerchant(database.db, {
      name: "A",
      email: "a@cli-incidents.test",
      password: "pw-pw-pw-pw",
    });
    const first = await incident("first");
    const second = await incident("second");
    await acknowledgeChainIncident(
      { db: database.db, actor: userActor({ ...shop, role: "owner" }) },
      shop.merchantId,
      first,
    );
    const admin = (args: string[]) => runAdminCommand(database.db, ["incidents", ...args]);

    const listed = (await admin(["list"])) as { data: Array<{ id: string; merchants_acknowledged: number }> };
    expect(listed.data.map((i) => [i.id, i.merchants_acknowledged]).sort()).toEqual(
      [
        [first, 1],
        [second, 0],
      ].sort(),
    );
    for (const bad of [
      ["ack"],
      ["ack", first, "--all"],
      ["ack", first, second],
      ["list", first],
      ["close"],
      [],
    ])
      await expect(admin(bad)).rejects.toBeInstanceOf(UsageError);
    await expect(admin(["ack", "inc_missing"])).rejects.toMatchObject({ status: 404 });

    expect(await admin(["ack", first])).toEqual({ acknowledged: [first] });
    expect(await admin(["ack", first])).toEqual({ acknowledged: [] });
    expect((await getHealth({ db: database.db, chains: [chain] })).incidents.map((i) => i.id)).toEqual([
      second,
    ]);

    // The real CLI process: `ack --all` closes the rest; health has no incident left.
    const { DATABASE_URL: _ignored, ...inherited } = process.env;
    const { stdout } = await run(
      join(root, "node_modules", ".bin", "tsx"),
      ["scripts/admin.ts", "incidents", "ack", "--all"],
      { cwd: root, env: { ...inherited, DATABASE_URL: database.databaseUrl } },
    );
    expect(JSON.parse(stdout)).toEqual({ acknowledged: [second] });
    expect((await getHealth({ db: database.db, chains: [chain] })).incidents).toEqual([]);
    expect(await listOpenChainIncidents(database.db, { merchantId: shop.merchantId })).toEqual([]);
    expect(await admin(["list"])).toEqual({ object: "list", data: [] });
    expect(((await admin(["list", "--all"])) as { data: unknown[] }).data).toHaveLength(2);
  });
});
