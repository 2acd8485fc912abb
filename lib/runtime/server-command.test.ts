import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../config/env";
import { nextServerArgs, nextServerCommand } from "./server-command";

const root = resolve(import.meta.dirname, "../..");

describe("nextServerCommand", () => {
  it("runs Next with the configured V8 heap growth (30 % by default) and semi-space (32 MiB)", () => {
    const { command, args } = nextServerCommand(root, parseEnv({}), ["start", "--port", "3000"]);
    expect(command).toBe(process.execPath);
    expect(args).toEqual([
      "--heap-growing-percent=30",
      "--max-semi-space-size=32",
      resolve(root, "node_modules/next/dist/bin/next"),
      "start",
      "--port",
      "3000",
    ]);
    expect(
      nextServerCommand(root, parseEnv({ NODE_HEAP_GROWTH_PERCENT: "75", NODE_SEMI_SPACE_MB: "64" }), [
        "start",
      ]).args,
    ).toEqual([
      "--heap-growing-percent=75",
      "--max-semi-space-size=64",
      resolve(root, "node_modules/next/dist/bin/next"),
      "start",
    ]);
  });

  it("leaves V8's own growth and semi-space with 0", () => {
    const { args } = nextServerCommand(
      root,
      parseEnv({ NODE_HEAP_GROWTH_PERCENT: "0", NODE_SEMI_SPACE_MB: "0" }),
      ["start"],
    );
    expect(args).toEqual([resolve(root, "node_modules/next/dist/bin/next"), "start"]);
    expect(nextServerCommand(root, parseEnv({ NODE_SEMI_SPACE_MB: "0" }), ["start"]).args[0]).toBe(
      "--heap-growing-percent=30",
    );
  });

  it("is a command this Node accepts (an unknown V8 flag or a wrong path would fail)", () => {
    const { command, args } = nextServerCommand(root, parseEnv({}), ["--version"]);
    expect(execFileSync(command, args, { cwd: root, encoding: "utf8" })).toMatch(/Next\.js v16\./);
  });

  it("refuses a growth that is not a whole percentage from 0 to 300", () => {
    for (const value of ["-1", "301", "12.5", "lots"])
      expect(() => parseEnv({ NODE_HEAP_GROWTH_PERCENT: value })).toThrow(/NODE_HEAP_GROWTH_PERCENT: /);
  });

  it("refuses a semi-space that is not a whole number of MiB from 0 to 256", () => {
    for (const value of ["-1", "257", "8.5", "big"])
      expect(() => parseEnv({ NODE_SEMI_SPACE_MB: value })).toThrow(/NODE_SEMI_SPACE_MB: /);
  });
});

describe("nextServerArgs", () => {
  it("listens on 127.0.0.1 unless HOST is set", () => {
    expect(nextServerArgs(parseEnv({}), "start")).toEqual([
      "start",
      "--port",
      "3000",
      "--hostname",
      "127.0.0.1",
    ]);
    expect(nextServerArgs(parseEnv({ HOST: "0.0.0.0", PORT: "8080" }), "dev")).toEqual([
      "dev",
      "--port",
      "8080",
      "--hostname",
      "0.0.0.0",
    ]);
  });
});
