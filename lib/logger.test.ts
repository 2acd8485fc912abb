import { describe, expect, it } from "vitest";
import { createLogger, setLogMixin } from "./logger";

function capture() {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
}

describe("logger (pino)", () => {
  it("writes one JSON line per call with level, message, time and child fields", () => {
    const { lines, write } = capture();
    const log = createLogger({ service: "x" }, { level: "info", write }).child({ requestId: "req_1" });
    log.debug("hidden");
    log.info("hello", { amount: 10n, err: new Error("boom") });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      level: "info",
      message: "hello",
      service: "x",
      requestId: "req_1",
      amount: "10",
    });
    expect(line.err.message).toBe("boom");
    expect(typeof line.time).toBe("string");
  });

  it("redacts secrets by configuration, including headers and passwords inside URLs", () => {
    const { lines, write } = capture();
    const log = createLogger({}, { level: "info", write });
    const mnemonic = "test test test test test test test test test test test junk";
    log.info("secrets", {
      mnemonic,
      apiKey: "sk_abc",
      webhook: { secret: "whsec_AAAAAAAAAAAAAAAAAAAA" },
      req: { headers: { authorization: "Bearer sk_abc", cookie: "session=1" } },
      url: "postgres://ctrip:hunter2@localhost:5432/db",
      password: "hunter2",
    });
    const text = lines.join("\n");
    for (const secret of [mnemonic, "sk_abc", "whsec_", "hunter2", "session=1"])
      expect(text).not.toContain(secret);
    expect(text).toContain("postgres://ctrip:[redacted]@localhost");
  });

  it("merges the mixin (trace id) into every line", () => {
    const { lines, write } = capture();
    setLogMixin(() => ({ traceId: "abc" }));
    try {
      createLogger({}, { level: "info", write }).info("x");
    } finally {
      setLogMixin(() => ({}));
    }
    expect(JSON.parse(lines[0] ?? "{}").traceId).toBe("abc");
  });
});
