// A real HTTP receiver on 127.0.0.1 standing in for a merchant's webhook endpoint in tests.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedWebhook = { body: string; headers: Record<string, string>; receivedAt: number };
/** An HTTP status to answer with, "hang" to never answer, or "reset" to drop the connection. */
export type ReceiverReply = number | "hang" | "reset";

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
};

export async function startWebhookReceiver(
  reply: (request: ReceivedWebhook, index: number) => ReceiverReply = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const webhook = {
        body: Buffer.concat(chunks).toString("utf8"),
        headers: flatten(request.headers),
        receivedAt: Date.now(),
      };
      received.push(webhook);
      const answer = reply(webhook, received.length - 1);
      if (answer === "hang") return;
      if (answer === "reset") {
        request.socket.destroy();
        return;
      }
      response.writeHead(answer, { "content-type": "text/plain" });
      response.end(answer < 300 ? "ok" : `receiver says ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
    ),
  );
}
