/** The root Dockerfile, one target per image, read as Docker reads it (no engine here to build them). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { contextFilter, dockerfileStages, dockerTarget, repoRoot, stageName, type DockerInstruction } from "./support";

interface Expectation {
  target: string;
  expose?: string;
  start: RegExp;
}

const images: Expectation[] = [
  { target: "api", expose: "8000", start: /^CMD \["node", "dist\/server\.js"\]$/ },
  { target: "web", expose: "3000", start: /^CMD \[.*exec node server\.js"\]$/ },
  { target: "migrator", start: /^ENTRYPOINT \["node", "dist\/main\.js"\]$/ },
];

const dockerfile = "Dockerfile";
const line = (i: DockerInstruction) => `${i.keyword} ${i.args}`;
const packageJson = (workspace: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, workspace, "package.json"), "utf8")) as {
    name?: string;
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
const context = contextFilter();
/** The repository's own packages (packages/*) that enter the build context, folder by package name. */
const ownPackages = new Map(
  readdirSync(path.join(repoRoot, "packages"))
    .filter((dir) => !context.ignores(`packages/${dir}`))
    .map((dir) => [packageJson(`packages/${dir}`).name, `packages/${dir}`]),
);
const ownDependencies = (workspace: string) => Object.keys(packageJson(workspace).dependencies ?? {}).flatMap((name) => ownPackages.get(name) ?? []);
/** `npm run <script> -w <dir>` reaches dir itself or, for a parent folder, every workspace under it. */
const runsIn = (run: string, script: string, dir: string) =>
  [...run.matchAll(/npm run (\S+) -w (\S+)/g)].some(([, s, w]) => s === script && (w === dir || dir.startsWith(`${w}/`)));
/** `COPY <dir>/ <dir>/`, or a parent folder copied whole. */
const copiesFolder = (l: string, dir: string) => {
  const m = /^COPY ([\w.-]+(?:\/[\w.-]+)*)\/ \1\/$/.exec(l);
  return Boolean(m?.[1] && (m[1] === dir || dir.startsWith(`${m[1]}/`)));
};

describe.each(images)("Dockerfile --target $target", ({ target, expose, start }) => {
  const workspace = target;
  const stages = dockerTarget(dockerfile, target);
  const runtime = stages.at(-1) ?? [];
  const all = stages.flat();
  const names = stages.map(stageName);

  test("multi-stage, every stage FROM node:24-slim (Node 24 LTS, Debian) or an earlier stage; the runtime starts afresh from node:24-slim", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    stages.forEach((stage, at) => {
      const [image, ...rest] = (stage[0]?.args ?? "").split(" ");
      expect(rest.join(" ")).toMatch(/^AS [\w-]+$/);
      expect(image === "node:24-slim" || names.slice(0, at).includes(image)).toBe(true);
    });
    expect(runtime[0]?.args).toBe(`node:24-slim AS ${target}`);
  });

  test("the runtime stage runs as the unprivileged node user, set after its last RUN", () => {
    const users = runtime.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users).toEqual(["node"]);
    const userAt = runtime.findIndex((i) => i.keyword === "USER");
    const lastRun = runtime.map((i) => i.keyword).lastIndexOf("RUN");
    expect(userAt).toBeGreaterThan(lastRun);
  });

  test("starts the compiled program, and EXPOSEs the service's port", () => {
    expect(runtime.map(line).filter((l) => /^(CMD|ENTRYPOINT) /.test(l))).toEqual([expect.stringMatching(start)]);
    expect(runtime.filter((i) => i.keyword === "EXPOSE").map((i) => i.args)).toEqual(expose ? [expose] : []);
  });

  test("dependencies come from the root lockfile with npm ci, never npm install", () => {
    const runs = all.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r))).toBe(false);
    expect(all.some((i) => i.keyword === "COPY" && /\bpackage-lock\.json\b/.test(i.args))).toBe(true);
  });

  test("no compiler, dev dependency or source in the runtime stage: it copies build output and production dependencies", () => {
    for (const copy of runtime.filter((i) => i.keyword === "COPY")) {
      const from = /--from=([\w-]+)/.exec(copy.args)?.[1];
      if (!from) expect(copy.args).toMatch(/^[\w/.-]*(package\.json|prisma\.config\.ts|prisma\/)[\w/. -]*$/);
      if ((copy.args.split(" ")[1] ?? "").includes("node_modules")) {
        const source = stages.find((s) => stageName(s) === from) ?? [];
        expect(source.map(line).join("\n")).toMatch(/npm ci .*--omit=dev --omit=optional/);
      }
    }
  });

  test("every file it copies from the context exists and is not excluded by .dockerignore", () => {
    for (const copy of all.filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))) {
      const sources = copy.args.split(" ").slice(0, -1);
      for (const source of sources) {
        expect(`${source}: ${existsSync(path.join(repoRoot, source))}`).toBe(`${source}: true`);
        expect(`${source}: ${context.ignores(source.replace(/\/$/, ""))}`).toBe(`${source}: false`);
      }
    }
  });

  test("the repository's own packages it depends on: in npm ci, compiled before the service, shipped beside node_modules' link", () => {
    const dirs = ownDependencies(workspace);
    expect(dirs).toEqual(expect.arrayContaining(["packages/postgres", "packages/service-kit"]));
    const lines = all.map(line);
    const firstCi = lines.findIndex((l) => /\bnpm ci\b/.test(l));
    const serviceBuild = lines.findIndex((l) => runsIn(l, "build", workspace));
    const runtimeLines = runtime.map(line);
    const shipsNodeModules = runtimeLines.some((l) => l.startsWith("COPY --from=") && l.endsWith(" node_modules"));
    for (const dir of dirs) {
      const manifest = lines.indexOf(`COPY ${dir}/package.json ${dir}/`);
      expect({ dir, manifestBeforeNpmCi: manifest > -1 && manifest < firstCi }).toEqual({ dir, manifestBeforeNpmCi: true });
      const copied = lines.findIndex((l) => copiesFolder(l, dir));
      const built = serviceBuild === -1 ? -1 : lines.slice(0, serviceBuild + 1).findIndex((l) => runsIn(l, "build", dir));
      expect({ dir, copied: copied > -1, builtAfterCopy: built > copied }).toEqual({ dir, copied: true, builtAfterCopy: true });
      if (shipsNodeModules) {
        // node_modules/<name> is a link to the package's folder: its package.json and build output must be there.
        expect(runtimeLines).toContain(`COPY ${dir}/package.json ${dir}/`);
        const dist = runtimeLines.find((l) => l.endsWith(` /app/${dir}/dist ${dir}/dist`)) ?? `no COPY of ${dir}/dist`;
        expect(names).toContain(/^COPY --from=([\w-]+) /.exec(dist)?.[1]);
        const workspaces = lines.find((l) => l.includes("npm pkg set workspaces=")) ?? "";
        expect(workspaces).toContain(`"${dir}"`);
      }
    }
  });

  test("every npm script it runs exists in that workspace (or, for a parent folder with --if-present, in one under it)", () => {
    for (const run of all.filter((i) => i.keyword === "RUN")) {
      for (const [, script = "", dir = ""] of run.args.matchAll(/npm run (\S+) -w (\S+)/g)) {
        const workspaces = existsSync(path.join(repoRoot, dir, "package.json"))
          ? [dir]
          : [...ownPackages.values()].filter((p) => p.startsWith(`${dir}/`) && run.args.includes("--if-present"));
        const found = workspaces.some((w) => Boolean(packageJson(w).scripts?.[script]));
        expect(`${dir}: ${script} ${found}`).toBe(`${dir}: ${script} true`);
      }
    }
  });
});

describe("one Dockerfile, the repository's packages wired once", () => {
  const stages = dockerfileStages(dockerfile);
  const text = readFileSync(path.join(repoRoot, dockerfile), "utf8");

  test("each image is a target of its own, and every stage has a distinct name", () => {
    const names = stages.map(stageName);
    expect(new Set(names).size).toBe(stages.length);
    expect(names).toEqual(expect.arrayContaining(images.map((i) => i.target)));
  });

  test("every package under packages/ that enters the context is in the one shared npm ci and build all three images start from", () => {
    const builds = images.map(({ target }) => dockerTarget(dockerfile, target).map(stageName));
    const shared = stages.filter((stage) => builds.every((b) => b.includes(stageName(stage))));
    const lines = shared.flat().map(line);
    const ci = lines.findIndex((l) => /\bnpm ci\b/.test(l));
    expect(ci).toBeGreaterThan(-1);
    expect(ownPackages.size).toBeGreaterThan(0);
    for (const dir of ownPackages.values()) {
      const manifest = lines.indexOf(`COPY ${dir}/package.json ${dir}/`);
      const copied = lines.findIndex((l) => copiesFolder(l, dir));
      const built = lines.findIndex((l) => runsIn(l, "build", dir));
      expect({ dir, manifestBeforeNpmCi: manifest > -1 && manifest < ci, copied: copied > ci, builtAfterCopy: built > copied }).toEqual({
        dir,
        manifestBeforeNpmCi: true,
        copied: true,
        builtAfterCopy: true,
      });
    }
  });

  test("builds on Engine 20.10's legacy builder and BuildKit alike: no syntax directive, no newer or BuildKit-only instruction flags, no heredocs", () => {
    expect(text).not.toMatch(/^#\s*syntax\s*=/im);
    for (const i of stages.flat()) {
      expect(line(i)).not.toMatch(/--(parents|exclude|link|chmod|mount|network|security|checksum|keep-git-dir)\b|<<-?\s*["']?\w+/);
    }
  });
});

describe("image specifics", () => {
  const env = (workspace: string) =>
    (dockerTarget(dockerfile, workspace).at(-1) ?? [])
      .filter((i) => i.keyword === "ENV")
      .map((i) => i.args)
      .join(" ");

  test("api: production mode, and the heap setting make bench measures (NODE_OPTIONS, docs/BENCHMARKS.md)", () => {
    expect(env("api")).toMatch(/\bNODE_ENV=production\b/);
    expect(env("api")).toMatch(/\bNODE_OPTIONS=--max-old-space-size=\d+\b/);
  });

  test("web: binds 0.0.0.0 (a container sets HOSTNAME to its own name) and sends no telemetry", () => {
    expect(env("web")).toMatch(/\bHOSTNAME=0\.0\.0\.0\b/);
    expect(env("web")).toMatch(/\bNEXT_TELEMETRY_DISABLED=1\b/);
  });

  test("migrator: openssl and ca-certificates in the runtime stage; its migrations and prisma.config.ts beside dist", () => {
    const runtime = (dockerTarget(dockerfile, "migrator").at(-1) ?? []).map(line).join("\n");
    expect(runtime).toMatch(/apt-get install .*\bopenssl\b.*\bca-certificates\b/);
    expect(runtime).toMatch(/^COPY migrator\/prisma\/ migrator\/prisma\/$/m);
    expect(runtime).toMatch(/^COPY .*migrator\/prisma\.config\.ts migrator\/$/m);
  });

  test("api: no Prisma in its stages (no schema, no generate step, no engine) nor among its dependencies", () => {
    const lines = dockerTarget(dockerfile, "api").flat().map(line);
    expect(lines.filter((l) => /prisma|\bgenerate -w api\b/i.test(l))).toEqual([]);
    const api = packageJson("api");
    const names = [...Object.keys(api.dependencies ?? {}), ...Object.keys(api.devDependencies ?? {})];
    expect(names.filter((name) => name.includes("prisma"))).toEqual([]);
  });

  test("api: the CMD's file is what the api's build produces (package.json main)", () => {
    const api = JSON.parse(readFileSync(path.join(repoRoot, "api/package.json"), "utf8")) as { main?: string };
    expect(api.main).toBe("dist/server.js");
  });
});
