import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { assertWebhookTargetAllowed, isPrivateAddress } from "./webhook-target";

const production = { allowPrivateTargets: false };

describe("webhook target guard (SSRF)", () => {
  it.each([
    "127.0.0.1",
    "10.1.2.3",
    "172.20.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fe80::1",
    "fd00::1",
    "::ffff:127.0.0.1",
  ])("treats %s as private", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])("treats %s as public", (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it("refuses private literals, localhost and names resolving to private addresses in production", async () => {
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://localhost/hook",
      "http://169.254.169.254/latest/meta-data",
    ])
      await expect(assertWebhookTargetAllowed(url, production)).rejects.toBeInstanceOf(AppError);
    await expect(
      assertWebhookTargetAllowed("https://internal.example/hook", {
        ...production,
        resolve: async () => ["93.184.216.34", "10.0.0.5"],
      }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(
      assertWebhookTargetAllowed("https://shop.example/hook", {
        ...production,
        resolve: async () => ["93.184.216.34"],
      }),
    ).resolves.toBeUndefined();
  });

  it("allows private targets when configured, and never a non-http scheme", async () => {
    await expect(
      assertWebhookTargetAllowed("http://127.0.0.1:8080/hook", { allowPrivateTargets: true }),
    ).resolves.toBeUndefined();
    await expect(
      assertWebhookTargetAllowed("file:///etc/passwd", { allowPrivateTargets: true }),
    ).rejects.toMatchObject({
      code: "validation_failed",
    });
  });
});
