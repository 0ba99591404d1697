// Reading docker-compose.yml, .env.example and the Dockerfiles the way Compose and Docker read them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import dockerignore, { type Ignore } from "@balena/dockerignore";
import { parse } from "yaml";
import { repoRoot } from "@authbridge/testing/pg";

export { repoRoot };
export const composePath = path.join(repoRoot, "docker-compose.yml");

export interface Healthcheck {
  test: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
}

export interface Dependency {
  condition: string;
  required?: boolean;
}

export interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  profiles?: string[];
  depends_on?: Record<string, Dependency>;
  env_file?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  restart?: string;
  healthcheck?: Healthcheck;
  init?: boolean;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  pids_limit?: number;
  mem_limit?: string;
}

export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** The compose file as Compose sees it before interpolation (YAML anchors resolved). */
export function loadCompose(text = readFileSync(composePath, "utf8")): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** Compose's interpolation: `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, nested. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$") {
      out += text.charAt(i);
      continue;
    }
    if (text[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    if (text[i + 1] !== "{") throw new Error(`unsupported interpolation at ${i} in ${text}`);
    let depth = 1;
    let j = i + 2;
    for (; j < text.length && depth > 0; j++) {
      if (text[j] === "{") depth++;
      if (text[j] === "}") depth--;
    }
    if (depth !== 0) throw new Error(`unclosed \${ in ${text}`);
    out += resolve(text.slice(i + 2, j - 1), env);
    i = j - 1;
  }
  return out;
}

function resolve(expression: string, env: Record<string, string | undefined>): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([\s\S]*))?$/.exec(expression);
  if (!m?.[1]) throw new Error(`unsupported expression \${${expression}}`);
  const [, name, colon, operator, rest = ""] = m;
  const value = env[name];
  const missing = value === undefined || (colon === ":" && value === "");
  if (!operator || !missing) return value ?? "";
  if (operator === "?") throw new Error(`required variable ${name}: ${rest}`);
  return interpolate(rest, env);
}

/** A .env file as bash `set -a; . .env` (scripts/load-env.sh) and Compose read it: `${NAME}` expands earlier names. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const raw = m[2] ?? "";
    env[m[1]] = raw.startsWith("'") ? raw.slice(1, -1) : interpolate(raw.replace(/^"(.*)"$/, "$1"), env);
  }
  return env;
}

/** The text of .env.example with some lines replaced, as `make env` makes a .env from it. */
export function envExampleText(lines: Record<string, string> = {}): string {
  return Object.entries(lines).reduce(
    (text, [name, value]) => text.replace(new RegExp(`^${name}=.*$`, "m"), `${name}=${value}`),
    readFileSync(path.join(repoRoot, ".env.example"), "utf8"),
  );
}

export const envExample = (lines: Record<string, string> = {}) => parseEnvFile(envExampleText(lines));

/** Go duration strings as Compose writes them (`1m30s`, `500ms`, `5s`), in milliseconds. */
export function durationMs(duration: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? ""] ?? NaN), 0);
}

export interface DockerInstruction {
  keyword: string;
  args: string;
}

/** A Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
export function dockerfileStages(file: string): DockerInstruction[][] {
  const text = readFileSync(path.join(repoRoot, file), "utf8");
  const lines = text.split("\n").filter((line) => !/^\s*#/.test(line));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  const stages: DockerInstruction[][] = [];
  for (const line of joined.split("\n")) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const instruction = { keyword: m[1].toUpperCase(), args: (m[2] ?? "").trim().replace(/\s+/g, " ") };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

/** The name a stage is given with `FROM <image> AS <name>`, if any. */
export function stageName(stage: DockerInstruction[]): string | undefined {
  return / AS ([\w.-]+)$/i.exec(stage[0]?.args ?? "")?.[1];
}

/**
 * The stages BuildKit builds for one `--target`, in file order, the target last: the stages its
 * FROM and its `COPY --from=` name, and theirs in turn.
 */
export function dockerTarget(file: string, target: string): DockerInstruction[][] {
  const stages = dockerfileStages(file);
  const byName = new Map(stages.flatMap((stage) => (stageName(stage) ? [[stageName(stage), stage] as const] : [])));
  const needed = new Set<DockerInstruction[]>();
  const visit = (name: string) => {
    const stage = byName.get(name);
    if (!stage || needed.has(stage)) return;
    needed.add(stage);
    visit((stage[0]?.args ?? "").split(" ")[0] ?? "");
    for (const i of stage) {
      const from = /--from=([\w.-]+)/.exec(i.args)?.[1];
      if (i.keyword === "COPY" && from) visit(from);
    }
  };
  visit(target);
  if (!byName.has(target)) throw new Error(`${file} has no stage named ${target}`);
  return stages.filter((stage) => needed.has(stage) && stage !== byName.get(target)).concat([byName.get(target) ?? []]);
}

/** The root .dockerignore's patterns, in order, comments and blank lines dropped. */
export function dockerignorePatterns(): string[] {
  return readFileSync(path.join(repoRoot, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** .dockerignore as Docker's client applies it (a port of its Go matcher): paths relative to the context, `/`-separated. */
export function contextFilter(): Ignore {
  return dockerignore().add(dockerignorePatterns());
}

/**
 * Every file `docker build .` sends from the repository root: the tree walked as Docker's client
 * walks it, an excluded folder skipped whole. Skipping is exact only while every exception (`!`)
 * names a path at the top level, which the suite checks.
 */
export function contextFiles(filter = contextFilter(), dir = ""): string[] {
  return readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (filter.ignores(relative)) return [];
    return entry.isDirectory() ? contextFiles(filter, relative) : [relative];
  });
}
