// /docs states the permission every private operation needs, next to its authentication.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "@/lib/openapi/build-openapi-document";
import DocsPage from "./page";

describe("/docs", () => {
  it("shows the permission of each private operation", () => {
    const html = renderToString(createElement(DocsPage));
    for (const operation of OPERATIONS) {
      const start = html.indexOf(`id="${operation.operationId}"`);
      expect(start, operation.operationId).toBeGreaterThan(-1);
      const card = html.slice(start, html.indexOf("</article>", start));
      const shown = /data-testid="operation-permission"[^>]*>([^<]+)</.exec(card)?.[1] ?? null;
      expect(shown, operation.operationId).toBe(operation.public ? null : operation.permission);
    }
  });
});
