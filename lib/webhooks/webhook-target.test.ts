import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext, createServer as createTlsServer } from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver";
import { sendWebhook } from "./send-webhook";
import { assertWebhookTargetAllowed, classifyAddress, isPrivateAddress } from "./webhook-target";

const production = { allowLoopbackTargets: false };
const devnet = { allowLoopbackTargets: true };
const receivers: WebhookReceiver[] = [];
afterAll(() => Promise.all(receivers.map((receiver) => receiver.close())));

async function receiver() {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** A URL on a made-up name that only the injected resolver knows, pointing at the receiver's port. */
function onName(receiverUrl: string, name: string): string {
  const url = new URL(receiverUrl);
  url.hostname = name;
  return url.toString();
}

const message = {
  secrets: [`whsec_${Buffer.alloc(24, 1).toString("base64")}`],
  messageId: "msg_1",
  body: "{}",
};

describe("webhook target guard (SSRF)", () => {
  it.each([
    "10.1.2.3",
    "172.20.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "0.1.2.3",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "fe80::1",
    "fd00::1",
    "fec0::1",
    "ff02::1",
    "::",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
    "64:ff9b::10.0.0.1",
    "2002:a9fe:a9fe::1", // 6to4 of 169.254.169.254
    "2002:c0a8:0101::", // 6to4 of 192.168.1.1
    "::169.254.169.254", // IPv4-compatible
    "::8.8.8.8", // IPv4-compatible, deprecated: refused whatever it embeds
    "2001:db8::1",
    "2001::1", // Teredo
  ])("refuses %s everywhere", (address) => {
    expect(classifyAddress(address)).toBe("forbidden");
  });

  it.each(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"])(
    "classes %s as loopback",
    (address) => {
      expect(classifyAddress(address)).toBe("loopback");
      expect(isPrivateAddress(address)).toBe(true);
    },
  );

  it.each([
    "93.184.216.34",
    "8.8.8.8",
    "2606:4700:4700::1111",
    "64:ff9b::808:808",
    "2002:808:808::1",
    "::ffff:8.8.8.8",
  ])("classes %s as public", (address) => {
    expect(classifyAddress(address)).toBe("public");
  });

  it("refuses loopback, private literals, localhost and names resolving to private addresses in production", async () => {
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://[::1]/hook",
      "http://localhost/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[64:ff9b::a9fe:a9fe]/latest/meta-data",
      "http://198.18.0.1/hook",
    ])
      await expect(assertWebhookTargetAllowed(url, production)).rejects.toBeInstanceOf(AppError);
    await expect(
      assertWebhookTargetAllowed("https://internal.example/hook", {
        ...production,
        resolveHost: async () => ["93.184.216.34", "10.0.0.5"],
      }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    await expect(
      assertWebhookTargetAllowed("https://shop.example/hook", {
        ...production,
        resolveHost: async () => ["93.184.216.34"],
      }),
    ).resolves.toBeUndefined();
  });

  it("allows loopback on the devnet, never link-local, metadata or private ranges, never a non-http scheme", async () => {
    await expect(assertWebhookTargetAllowed("http://127.0.0.1:8080/hook", devnet)).resolves.toBeUndefined();
    await expect(assertWebhookTargetAllowed("http://localhost:8080/hook", devnet)).resolves.toBeUndefined();
    for (const url of [
      "http://169.254.169.254/latest/meta-data",
      "http://[fe80::1]/hook",
      "http://10.0.0.1/hook",
      "http://192.168.1.1/hook",
      "file:///etc/passwd",
    ])
      await expect(assertWebhookTargetAllowed(url, devnet), url).rejects.toMatchObject({
        code: "validation_failed",
      });
  });
});

describe("connect-time check (DNS rebinding)", () => {
  it("connects to the address it checked, in one lookup: a name only the resolver knows reaches the receiver", async () => {
    const hook = await receiver();
    const lookups: string[] = [];
    const result = await sendWebhook(
      {
        ...devnet,
        resolveHost: async (name) => {
          lookups.push(name);
          return ["127.0.0.1"];
        },
      },
      { ...message, url: onName(hook.url, "hook.test") },
    );
    expect(result).toMatchObject({ succeeded: true, statusCode: 200 });
    expect(lookups).toEqual(["hook.test"]);
    expect(hook.received[0]?.headers.host).toMatch(/^hook\.test:\d+$/);
  });

  it("refuses a name that was public at registration and resolves to loopback or metadata at delivery", async () => {
    const hook = await receiver();
    const url = onName(hook.url, "rebind.test");
    let answer = ["93.184.216.34"];
    const resolveHost = async () => answer;
    await expect(assertWebhookTargetAllowed(url, { ...production, resolveHost })).resolves.toBeUndefined();

    answer = ["127.0.0.1"];
    const loopback = await sendWebhook({ ...production, resolveHost }, { ...message, url });
    expect(loopback).toMatchObject({ succeeded: false, statusCode: null });
    expect(loopback.error).toMatch(/loopback address 127\.0\.0\.1/);

    // Even on the devnet, where loopback is fine, the metadata address is not.
    answer = ["169.254.169.254"];
    const metadata = await sendWebhook({ ...devnet, resolveHost }, { ...message, url });
    expect(metadata.error).toMatch(/169\.254\.169\.254/);
    expect(hook.received).toHaveLength(0);
  });

  it("refuses an IP literal that is not allowed without any lookup", async () => {
    const result = await sendWebhook(devnet, { ...message, url: "http://169.254.169.254/latest/meta-data" });
    expect(result.error).toMatch(/169\.254\.169\.254/);
  });

  it("keeps the URL's host name for TLS SNI while connecting to the pinned address", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctrip-tls-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hook.test"].concat([
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ]),
      { stdio: "ignore" },
    );
    const context = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    rmSync(dir, { recursive: true, force: true });
    const serverNames: (string | undefined)[] = [];
    const server = createTlsServer({
      ...context,
      SNICallback: (name, done) => {
        serverNames.push(name);
        done(null, createSecureContext(context));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await sendWebhook(
        { ...devnet, resolveHost: async () => ["127.0.0.1"] },
        { ...message, url: `https://hook.test:${port}/webhooks` },
      );
      // The certificate is self-signed, so the client stops after the handshake began with the right name.
      expect(result.error).toMatch(/self[- ]signed/);
      expect(serverNames).toEqual(["hook.test"]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
