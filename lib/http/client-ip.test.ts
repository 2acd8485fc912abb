import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../config/env";
import { clientIp } from "./client-ip";
import { PEER_ADDRESS_HEADER, peerAddress, peerAddressHeaderValue, stampPeerAddresses } from "./peer-address";
import { parseTrustedProxy } from "./trusted-proxy";

const fromPeer = (peer: string, forwardedFor?: string) =>
  new Headers({
    [PEER_ADDRESS_HEADER]: peerAddressHeaderValue(peer),
    ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
  });
const proxies = ["10.0.0.0/8", "::1"].map(parseTrustedProxy);

describe("clientIp", () => {
  it("is the TCP peer and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(clientIp(fromPeer("203.0.113.7", "192.0.2.1"), [])).toBe("203.0.113.7");
    expect(clientIp(fromPeer("::ffff:203.0.113.7"), [])).toBe("203.0.113.7");
    expect(clientIp(new Headers({ "x-forwarded-for": "192.0.2.1", "x-real-ip": "192.0.2.2" }), proxies)).toBe(
      "direct",
    );
  });

  it("walks X-Forwarded-For from the right through trusted proxies only", () => {
    // Client-written entries left of the first untrusted hop are never believed.
    expect(clientIp(fromPeer("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.9"), proxies)).toBe("198.51.100.4");
    expect(clientIp(fromPeer("::1", "198.51.100.4"), proxies)).toBe("198.51.100.4");
    expect(clientIp(fromPeer("10.0.0.2", "10.0.0.3"), proxies)).toBe("10.0.0.3");
    expect(clientIp(fromPeer("203.0.113.7", "198.51.100.4"), proxies)).toBe("203.0.113.7");
  });

  it("refuses a stamp it did not write and a forged peer header", () => {
    expect(peerAddress(new Headers({ [PEER_ADDRESS_HEADER]: "guess 10.0.0.2" }))).toBeNull();
    expect(peerAddress(new Headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2" }))).toBeNull();
  });

  it("reads TRUSTED_PROXIES and names a bad entry", () => {
    expect(parseEnv({ TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8 fd00::/8" }).TRUSTED_PROXIES).toEqual([
      { network: "127.0.0.1", prefix: 32, family: "ipv4" },
      { network: "10.0.0.0", prefix: 8, family: "ipv4" },
      { network: "fd00::", prefix: 8, family: "ipv6" },
    ]);
    expect(() => parseEnv({ TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/TRUSTED_PROXIES: 10.0.0.0\/33/);
    expect(() => parseEnv({ TRUSTED_PROXIES: "proxy.internal" })).toThrow(/not an IP address/);
  });

  it("stamps the socket address over a client-sent peer header on a real HTTP server", async () => {
    stampPeerAddresses();
    const server = createServer((request, response) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === "string") headers.set(name, value);
      response.end(clientIp(headers, []));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const sent = httpRequest(
          {
            host: "127.0.0.1",
            port,
            headers: {
              [PEER_ADDRESS_HEADER]: peerAddressHeaderValue("192.0.2.99"),
              "x-forwarded-for": "192.0.2.1",
            },
          },
          (response) => {
            let text = "";
            response.on("data", (chunk) => {
              text += chunk;
            });
            response.on("end", () => resolve(text));
          },
        );
        sent.on("error", reject);
        sent.end();
      });
      expect(body).toBe("127.0.0.1");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
