/** The three Dockerfiles, read as Docker reads them (no engine here to build them). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { dockerfileStages, repoRoot, type DockerInstruction } from "./support";

interface Expectation {
  workspace: string;
  expose?: string;
  start: RegExp;
}

const images: Expectation[] = [
  { workspace: "api", expose: "8000", start: /^CMD \["node", "dist\/server\.js"\]$/ },
  { workspace: "web", expose: "3000", start: /^CMD \[.*exec node server\.js"\]$/ },
  { workspace: "migrator", start: /^ENTRYPOINT \["node", "dist\/main\.js"\]$/ },
];

const line = (i: DockerInstruction) => `${i.keyword} ${i.args}`;
const packageJson = (workspace: string) =>
  JSON.parse(readFileSync(path.join(repoRoot, workspace, "package.json"), "utf8")) as {
    name?: string;
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
  };
/** The repository's own packages (packages/*), folder by package name. */
const ownPackages = new Map(readdirSync(path.join(repoRoot, "packages")).map((dir) => [packageJson(`packages/${dir}`).name, `packages/${dir}`]));
const ownDependencies = (workspace: string) => Object.keys(packageJson(workspace).dependencies ?? {}).flatMap((name) => ownPackages.get(name) ?? []);
const dockerignore = readFileSync(path.join(repoRoot, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim());

describe.each(images)("$workspace/Dockerfile", ({ workspace, expose, start }) => {
  const stages = dockerfileStages(`${workspace}/Dockerfile`);
  const runtime = stages.at(-1) ?? [];
  const all = stages.flat();

  test("multi-stage, every stage FROM node:24-slim (Node 24 LTS, Debian)", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:24-slim( AS \w+)?$/);
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
      const from = /--from=(\w+)/.exec(copy.args)?.[1];
      if (!from) expect(copy.args).toMatch(/^[\w/.-]*(package\.json|prisma\.config\.ts|prisma\/)[\w/. -]*$/);
      if ((copy.args.split(" ")[1] ?? "").includes("node_modules")) {
        const source = stages.find((s) => new RegExp(` AS ${from}$`).test(s[0]?.args ?? "")) ?? [];
        expect(source.map(line).join("\n")).toMatch(/npm ci .*--omit=dev --omit=optional/);
      }
    }
  });

  test("every file it copies from the context exists and is not excluded by .dockerignore", () => {
    for (const copy of all.filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))) {
      const sources = copy.args.split(" ").slice(0, -1);
      for (const source of sources) {
        expect(`${source}: ${existsSync(path.join(repoRoot, source))}`).toBe(`${source}: true`);
        expect(dockerignore).not.toContain(source.replace(/\/$/, ""));
      }
    }
  });

  test("the repository's own packages it depends on: in npm ci, compiled before the service, shipped beside node_modules' link", () => {
    const dirs = ownDependencies(workspace);
    expect(dirs).toEqual(expect.arrayContaining(["packages/db-rules", "packages/service-kit"]));
    const lines = all.map(line);
    const firstCi = lines.findIndex((l) => /\bnpm ci\b/.test(l));
    const serviceBuild = lines.findIndex((l) => l.includes(`npm run build -w ${workspace}`));
    const runtimeLines = runtime.map(line);
    const shipsNodeModules = runtimeLines.some((l) => l.startsWith("COPY --from=") && l.endsWith(" node_modules"));
    for (const dir of dirs) {
      const manifest = lines.indexOf(`COPY ${dir}/package.json ${dir}/`);
      expect({ dir, manifestBeforeNpmCi: manifest > -1 && manifest < firstCi }).toEqual({ dir, manifestBeforeNpmCi: true });
      const copied = lines.indexOf(`COPY ${dir}/ ${dir}/`);
      const built = serviceBuild === -1 ? -1 : lines.slice(0, serviceBuild + 1).findIndex((l) => l.includes(`npm run build -w ${dir} `));
      expect({ dir, copied: copied > -1, builtAfterCopy: built > copied }).toEqual({ dir, copied: true, builtAfterCopy: true });
      if (shipsNodeModules) {
        // node_modules/<name> is a link to the package's folder: its package.json and build output must be there.
        expect(runtimeLines).toEqual(expect.arrayContaining([`COPY ${dir}/package.json ${dir}/`, `COPY --from=build /app/${dir}/dist ${dir}/dist`]));
        const workspaces = lines.find((l) => l.includes("npm pkg set workspaces=")) ?? "";
        expect(workspaces).toContain(`"${dir}"`);
      }
    }
  });

  test("every npm script it runs exists in that workspace", () => {
    for (const run of all.filter((i) => i.keyword === "RUN")) {
      for (const [, script, target] of run.args.matchAll(/npm run (\S+) -w (\S+)/g)) {
        expect(`${target}: ${script} ${Boolean(packageJson(target ?? "").scripts?.[script ?? ""])}`).toBe(`${target}: ${script} true`);
      }
    }
  });
});

describe("image specifics", () => {
  const env = (workspace: string) =>
    (dockerfileStages(`${workspace}/Dockerfile`).at(-1) ?? [])
      .filter((i) => i.keyword === "ENV")
      .map((i) => i.args)
      .join(" ");

  test("web: binds 0.0.0.0 (a container sets HOSTNAME to its own name) and sends no telemetry", () => {
    expect(env("web")).toMatch(/\bHOSTNAME=0\.0\.0\.0\b/);
    expect(env("web")).toMatch(/\bNEXT_TELEMETRY_DISABLED=1\b/);
  });

  test("migrator: openssl and ca-certificates in the runtime stage; its migrations and prisma.config.ts beside dist", () => {
    const runtime = (dockerfileStages("migrator/Dockerfile").at(-1) ?? []).map(line).join("\n");
    expect(runtime).toMatch(/apt-get install .*\bopenssl\b.*\bca-certificates\b/);
    expect(runtime).toMatch(/^COPY migrator\/prisma\/ migrator\/prisma\/$/m);
    expect(runtime).toMatch(/^COPY .*migrator\/prisma\.config\.ts migrator\/$/m);
  });

  test("api: the CMD's file is what the api's build produces (package.json main)", () => {
    const api = JSON.parse(readFileSync(path.join(repoRoot, "api/package.json"), "utf8")) as { main?: string };
    expect(api.main).toBe("dist/server.js");
  });

  test(".dockerignore keeps secrets, local data and host builds out of the context", () => {
    for (const pattern of [".env", ".data", ".git", "**/node_modules", "**/dist", "**/.next", "**/src/generated"]) {
      expect(dockerignore).toContain(pattern);
    }
    expect(dockerignore).toContain("!.env.example");
  });
});
