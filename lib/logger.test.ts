import { describe, expect, it } from "vitest";
import { createLogger, setLogMixin, withFields } from "./logger";

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

  it("withFields: a child whose lines carry the bound fields and go through the base logger's methods", () => {
    const { lines, write } = capture();
    const base = createLogger({}, { level: "info", write });
    const seen: string[] = [];
    const info = base.info;
    base.info = (message, fields) => {
      seen.push(message);
      info(message, fields);
    };
    const log = withFields(base, { requestId: "req_2", merchantId: "mer_1" }).child({ job: "j" });
    log.info("first", { requestId: "req_overridden", n: 1 });
    log.info("second");
    log.debug("hidden");
    expect(seen).toEqual(["first", "second"]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        message: "first",
        requestId: "req_overridden",
        merchantId: "mer_1",
        job: "j",
        n: 1,
      }),
      expect.objectContaining({ message: "second", requestId: "req_2", merchantId: "mer_1", job: "j" }),
    ]);
  });
});
