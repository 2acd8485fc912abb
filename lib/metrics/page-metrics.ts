import { type Dirent, readdirSync, readFileSync } from "node:fs";
import { type IncomingMessage, Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { observeHttpRequest } from "./http-metrics";

/**
 * Pages (dashboard, checkout page, sign-in) are measured where every request of the Node server
 * passes: its `request` event, until the response is finished. API routes are not measured here
 * (their wrappers in lib/http do it with the exact route template, so nothing is counted twice),
 * except next-auth's and Inngest's, which have no such wrapper.
 */
export type PageTemplates = { template: string; pattern: RegExp }[];

/** Next's page templates (`/dashboard/payments/[id]`) as patterns, most specific first. */
export function pageTemplates(templates: string[]): PageTemplates {
  const dynamicParts = (template: string) => (template.match(/\[/g) ?? []).length;
  return [...new Set(templates)]
    .sort((a, b) => dynamicParts(a) - dynamicParts(b) || b.length - a.length)
    .map((template) => {
      const source = template
        .split("/")
        .map((segment) => {
          if (/^\[\[\.\.\.\w+\]\]$/.test(segment)) return "(?:/.*)?";
          if (/^\[\.\.\.\w+\]$/.test(segment)) return "/.+";
          if (/^\[\w+\]$/.test(segment)) return "/[^/]+";
          return segment === "" ? "" : `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
        })
        .join("");
      return { template, pattern: new RegExp(`^${source || "/"}/?$`) };
    });
}

/**
 * The template of a page path: the matching Next page template; `/_next/*` for build assets;
 * `unmatched` for a 404 or a path no page serves (a scanner's probes must not add label values).
 */
export function pageRoute(pathname: string, status: number, templates: PageTemplates): string {
  if (pathname.startsWith("/_next/")) return "/_next/*";
  if (status === 404) return "unmatched";
  return templates.find(({ pattern }) => pattern.test(pathname))?.template ?? "unmatched";
}

/** Pages, and the API routes no lib/http wrapper measures (next-auth, Inngest's endpoint). */
function measuredHere(url: string): boolean {
  return !url.startsWith("/api/") || /^\/api\/(auth|inngest)(\/|\?|$)/.test(url);
}

/**
 * The page (and route) templates this server serves: the production build's
 * `<distDir>/app-path-routes-manifest.json`, or under `next dev` (no manifest yet) the app folder.
 */
export function builtPageTemplates(root = process.cwd()): PageTemplates {
  try {
    const manifest = JSON.parse(
      readFileSync(join(root, process.env.NEXT_DIST_DIR ?? ".next", "app-path-routes-manifest.json"), "utf8"),
    ) as Record<string, string>;
    return pageTemplates(Object.values(manifest));
  } catch {
    return pageTemplates(appFolderTemplates(join(root, "app")));
  }
}

/** Templates of the page.tsx and route.ts files under `folder` (route groups `(name)` left out). */
export function appFolderTemplates(folder: string, prefix = ""): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry.isFile()) return /^(page|route)\.[jt]sx?$/.test(entry.name) ? [prefix || "/"] : [];
    if (!entry.isDirectory() || entry.name.startsWith("_") || entry.name.startsWith("@")) return [];
    const segment = /^\(.*\)$/.test(entry.name) ? "" : `/${entry.name}`;
    return appFolderTemplates(join(folder, entry.name), `${prefix}${segment}`);
  });
}

const state = globalThis as unknown as { ctripPageMetrics?: boolean };

/** Called once from instrumentation.ts in the Node server process. */
export function measurePageRequests(templates: PageTemplates = builtPageTemplates()): void {
  if (state.ctripPageMetrics) return;
  state.ctripPageMetrics = true;
  const emit = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function measuredEmit(this: Server, event: string | symbol, ...args: unknown[]) {
    const [request, response] = args as [IncomingMessage | undefined, ServerResponse | undefined];
    if (event === "request" && request && response && measuredHere(request.url ?? "/")) {
      const started = performance.now();
      response.once("finish", () => {
        const pathname = (request.url ?? "/").split("?")[0] ?? "/";
        const route = pageRoute(pathname, response.statusCode, templates);
        observeHttpRequest(
          route,
          request.method ?? "GET",
          response.statusCode,
          (performance.now() - started) / 1_000,
        );
      });
    }
    return emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
}
