// SIGN_UP_ENABLED and the chains: with a real chain in CHAINS_FILE sign-up is closed by default —
// the page says so instead of showing the form and the action (through the sign-up service)
// creates nothing; SIGN_UP_ENABLED=1 opens it. On a real database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/testing/database";
import { writeRealChainsFile } from "@/lib/testing/real-chains-file";

vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }) }));

let database: TestDatabase;
let workDir: string;
let realChains: string;
beforeAll(async () => {
  database = await createTestDatabase();
  workDir = mkdtempSync(join(tmpdir(), "ctrip-sign-up-"));
  realChains = writeRealChainsFile(workDir);
});
afterAll(async () => {
  await (globalThis as { ctripDb?: { $disconnect(): Promise<void> } }).ctripDb?.$disconnect();
  delete (globalThis as { ctripDb?: unknown }).ctripDb;
  await database.drop();
  rmSync(workDir, { recursive: true, force: true });
});

/** The action and page as a server with this environment loads them (env and chains are cached per module graph). */
async function load(env: Record<string, string | undefined>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  vi.stubEnv("DATABASE_URL", database.databaseUrl);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { signUpAction } = await import("./actions");
  const { default: SignUpPage } = await import("./page");
  return { signUpAction, page: () => outline(SignUpPage()) };
}

/** The page's text and the names of the components it renders (the form is not rendered here). */
function outline(node: unknown): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(outline).join(" ");
  if (node && typeof node === "object" && "props" in node) {
    const { type, props } = node as { type: unknown; props: { children?: unknown } };
    const name = typeof type === "function" ? `<${type.name}>` : "";
    return `${name}${outline(props.children)}`;
  }
  return "";
}

function form(email: string): FormData {
  const data = new FormData();
  data.set("name", "Closed shop");
  data.set("email", email);
  data.set("password", "correct horse battery");
  return data;
}

describe("sign-up with a real chain", () => {
  it("is closed by default: the page says whom to ask, the action creates no user", async () => {
    const { signUpAction, page } = await load({ CHAINS_FILE: realChains, SIGN_UP_ENABLED: undefined });
    expect(page()).toContain("Sign-up is closed");
    expect(page()).toContain("Ask the operator or an owner of your merchant account for an invitation.");
    expect(page()).not.toContain("Create a merchant account");
    expect(page()).not.toContain("<SignUpForm>");
    expect(await signUpAction(form("closed@example.com"))).toEqual({
      ok: false,
      error: expect.stringMatching(/^Sign-up is closed on this gateway\. Ask the operator or an owner/),
    });
    expect(await database.db.user.count({ where: { email: "closed@example.com" } })).toBe(0);
    expect(await database.db.merchant.count()).toBe(0);
  });

  it("opens with SIGN_UP_ENABLED=1, and closes on the devnet with SIGN_UP_ENABLED=0", async () => {
    const open = await load({ CHAINS_FILE: realChains, SIGN_UP_ENABLED: "1" });
    expect(open.page()).toContain("Create a merchant account");
    expect(open.page()).toContain("<SignUpForm>");
    expect(await open.signUpAction(form("open@example.com"))).toEqual({ ok: true });
    expect(await database.db.user.count({ where: { email: "open@example.com" } })).toBe(1);

    // chains.yaml: the local devnet only.
    const closed = await load({ CHAINS_FILE: undefined, SIGN_UP_ENABLED: "0" });
    expect(closed.page()).toContain("Sign-up is closed");
    expect(await closed.signUpAction(form("devnet@example.com"))).toMatchObject({ ok: false });
    expect(await database.db.user.count({ where: { email: "devnet@example.com" } })).toBe(0);
  });
});
