// The container image's /app, assembled outside Docker for scripts/image-commands.test.ts: the
// standalone build (NEXT_OUTPUT=standalone) with its static files, plus the sources the worker and
// the migrations load, as the Dockerfile copies them. The build goes to `.next-image`, never to the
// `.next` that `npm start`, scripts/start.test.ts and the e2e suite build and serve, and is reused
// while no build input changed (lib/runtime/needs-build.ts).
import { spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { needsBuild } from "../runtime/needs-build";
import { acquireBuildLock } from "./build-lock";
import { IMAGE_SOURCE_ENTRIES } from "./image-commands";

const ROOT = resolve(import.meta.dirname, "../..");
export const IMAGE_DIST_DIR = ".next-image";

/** Builds when needed, then lays the image's /app out; returns that folder (the commands' cwd). */
export async function prepareImageLayout(): Promise<string> {
  if (needsBuild(ROOT, IMAGE_DIST_DIR) || !existsSync(join(ROOT, IMAGE_DIST_DIR, "standalone", "server.js")))
    await buildStandalone();
  const app = join(ROOT, IMAGE_DIST_DIR, "standalone");
  // The image merges the full production node_modules over the traced one, so every traced package
  // is complete there (argon2's traced copy alone has only its prebuild, which crashes here). Here
  // the repository's node_modules, found from the parent folders, plays that part.
  rmSync(join(app, "node_modules"), { recursive: true, force: true });
  cpSync(join(ROOT, IMAGE_DIST_DIR, "static"), join(app, IMAGE_DIST_DIR, "static"), { recursive: true });
  for (const entry of IMAGE_SOURCE_ENTRIES) {
    rmSync(join(app, entry), { recursive: true, force: true });
    // .dockerignore leaves the tests out of the image.
    cpSync(join(ROOT, entry), join(app, entry), {
      recursive: true,
      filter: (source) => !source.endsWith(".test.ts"),
    });
  }
  return app;
}

/**
 * `next build` with the image's settings. Next adds its distDir's type folders to tsconfig.json and
 * points next-env.d.ts at them; both are put back so the working tree and `npm run typecheck` only
 * ever see `.next`.
 */
async function buildStandalone(): Promise<void> {
  // Never alongside another test file's `npm start` build: both use (and Next rewrites) tsconfig.json.
  const releaseBuild = await acquireBuildLock(ROOT);
  const touched = ["tsconfig.json", "next-env.d.ts"].map((file) => {
    const path = join(ROOT, file);
    return { path, content: existsSync(path) ? readFileSync(path, "utf8") : undefined };
  });
  try {
    const output: string[] = [];
    const child = spawn(
      process.execPath,
      [join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: "production",
          NEXT_OUTPUT: "standalone",
          NEXT_DIST_DIR: IMAGE_DIST_DIR,
          NEXT_TELEMETRY_DISABLED: "1",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));
    if (code !== 0)
      throw new Error(`next build (standalone) exited ${code}:\n${output.join("").slice(-4000)}`);
  } finally {
    for (const { path, content } of touched) {
      if (content === undefined) rmSync(path, { force: true });
      else if (!existsSync(path) || readFileSync(path, "utf8") !== content) writeFileSync(path, content);
    }
    releaseBuild();
  }
}
