/** docker-compose.yml without a Docker engine: the Compose Specification schema, the order, the one env file. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DCLinter } from "dclint";
import { composePath, dockerTarget, durationMs, envExample, envExampleText, interpolate, loadCompose, repoRoot, type Service } from "./support";

// Schema validation is always on in dclint. Its correctness and security rules are errors here;
// its style rules (alphabetical services, key order) are off: they would fight the file's reading
// order, db -> web. dclint enables every rule not named, so each is named.
const linter = new DCLinter({
  rules: {
    "no-build-and-image": 2,
    "no-duplicate-container-names": 2,
    "no-duplicate-exported-ports": 2,
    "no-unbound-port-interfaces": 2,
    "no-version-field": 2,
    "require-quotes-in-ports": [2, { quoteType: "double" }],
    "service-image-require-explicit-tag": 2,
    "no-quotes-in-volumes": 0,
    "require-project-name-field": 0,
    "service-container-name-regex": 0,
    "service-dependencies-alphabetical-order": 0,
    "service-keys-order": 0,
    "service-ports-alphabetical-order": 0,
    "services-alphabetical-order": 0,
    "top-level-properties-order": 0,
  },
  quiet: true,
  debug: false,
  exclude: [],
});

function lint(file: string) {
  const [result] = linter.lintFiles([file], false);
  return (result?.messages ?? []).map((m) => `${m.rule}: ${m.message}`);
}

function lintVariant(edit: (text: string) => string) {
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-compose-"));
  try {
    const file = path.join(dir, "docker-compose.yml");
    const original = readFileSync(composePath, "utf8");
    const changed = edit(original);
    expect(changed).not.toBe(original);
    writeFileSync(file, changed);
    return lint(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const compose = loadCompose();
const services = compose.services;
const names = Object.keys(services);
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

describe("docker-compose.yml against the Compose Specification (dclint)", () => {
  test("validates, with no linter errors", () => {
    expect(lint(composePath)).toEqual([]);
  });

  test("the validator does reject what the schema forbids (a made-up depends_on condition)", () => {
    const messages = lintVariant((t) => t.replace("condition: service_completed_successfully", "condition: service_finished"));
    expect(messages.join("\n")).toMatch(/^invalid-schema:/m);
  });

  test("the validator does reject a port published on every interface", () => {
    const messages = lintVariant((t) => t.replace('"127.0.0.1:${API_PORT:-8000}:', '"${API_PORT:-8000}:'));
    expect(messages.join("\n")).toMatch(/^no-unbound-port-interfaces:/m);
  });
});

describe("services and their order", () => {
  test("db, migrator, api and web; the three of ours built from the root Dockerfile's target of their name, the repo root as context", () => {
    expect(names.sort()).toEqual(["api", "db", "migrator", "web"]);
    for (const name of ["migrator", "api", "web"]) {
      expect(service(name).build).toEqual({ context: ".", dockerfile: "Dockerfile", target: name });
      expect(dockerTarget("Dockerfile", name).at(-1)?.[0]?.args).toMatch(new RegExp(` AS ${name}$`));
    }
    expect(service("db").image).toMatch(/^postgres:\d+/);
  });

  test("every depends_on target exists", () => {
    for (const [name, s] of Object.entries(services)) {
      for (const target of Object.keys(s.depends_on ?? {})) {
        expect(`${name} -> ${target}: ${names.includes(target)}`).toBe(`${name} -> ${target}: true`);
      }
    }
  });

  test("db healthy (when its profile runs) -> migrator completed successfully -> api healthy -> web", () => {
    expect(service("db").depends_on).toBeUndefined();
    expect(service("migrator").depends_on).toEqual({ db: { condition: "service_healthy", required: false } });
    expect(service("api").depends_on).toEqual({ migrator: { condition: "service_completed_successfully" } });
    expect(service("web").depends_on).toEqual({ api: { condition: "service_healthy" } });
  });

  test("the migrator runs once; the others come back after a crash or a reboot", () => {
    expect(service("migrator").restart).toBe("no");
    for (const name of ["db", "api", "web"]) expect(service(name).restart).toBe("unless-stopped");
  });

  test("the local db sits behind the localdb profile, which the default .env enables", () => {
    expect(service("db").profiles).toEqual(["localdb"]);
    for (const name of ["migrator", "api", "web"]) expect(service(name).profiles).toBeUndefined();
    expect(envExample().COMPOSE_PROFILES).toBe("localdb");
  });

  test("every service has init: true, so SIGTERM reaches the process and `make down` is quick", () => {
    for (const name of names) expect(`${name}: ${service(name).init}`).toBe(`${name}: true`);
  });
});

/**
 * The variable names a config module declares between `open` and the next line that closes it:
 * settings (`field: ["NAME", validator]`, api, web and service-kit) or envalid specs (`NAME: validator`, the migrator).
 */
function declaredVariables(file: string, open: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), "utf8");
  const from = text.indexOf(open);
  if (from < 0) throw new Error(`${file}: no ${open}`);
  const rest = text.slice(from + open.length);
  const body = rest.slice(0, rest.search(/^\s*}/m));
  return [...body.matchAll(/^\s+(?:([A-Z][A-Z0-9_]+):|\w+: \["([A-Z][A-Z0-9_]+)")/gm)].map((m) => m[1] ?? m[2] ?? "");
}

/** Every ${NAME} a Compose value refers to (nested defaults included). */
const referenced = (value: string) => [...value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? "");

/** What no api or web container may see: the owner's and the bootstrap superuser's credentials, and the other service's. */
const OWNER_ONLY = ["DATABASE_URL", "DIRECT_URL", "COMPOSE_DATABASE_URL", "POSTGRES_PASSWORD"];
const OWN_DATABASE = {
  api: ["API_DATABASE_URL", "API_DIRECT_URL", "COMPOSE_API_DATABASE_URL", "API_DATABASE_PASSWORD"],
  web: ["WEB_DATABASE_URL", "COMPOSE_WEB_DATABASE_URL", "WEB_DATABASE_PASSWORD"],
};

describe("environment", () => {
  test("no service reads an env_file: each names exactly what it gets from the one .env (compose.sh's --env-file)", () => {
    for (const name of names) expect(`${name}: ${JSON.stringify(service(name).env_file)}`).toBe(`${name}: undefined`);
    const compose = readFileSync(path.join(repoRoot, "scripts", "compose.sh"), "utf8");
    expect(compose).toMatch(/--env-file "\$env_file"/);
  });

  test("each of ours gets exactly the variables its config.ts reads, no more", () => {
    const shared = declaredVariables("packages/service-kit/src/environment.ts", "const sharedSettings = {");
    const own = {
      api: declaredVariables("api/src/config.ts", 'readEnvironment("api", source, {'),
      // The image sets the server's PORT (from WEB_PORT, in its CMD) and HOSTNAME (ENV).
      web: [
        ...declaredVariables("web/src/config.ts", 'readEnvironment("web", source, {').filter((v) => !["PORT", "HOSTNAME"].includes(v)),
        "WEB_PORT",
      ],
      // MIGRATIONS_DIR and PRISMA_SCHEMA_ENGINE_BINARY are for tests and hand-run overrides, not the image.
      migrator: declaredVariables("migrator/src/config.ts", "setVariables(source),\n    {").filter(
        (v) => !["MIGRATIONS_DIR", "PRISMA_SCHEMA_ENGINE_BINARY"].includes(v),
      ),
    };
    expect(own.api).toContain("API_DATABASE_URL");
    expect(own.migrator).toContain("DATABASE_URL");
    for (const name of ["api", "web"] as const) {
      expect(Object.keys(service(name).environment ?? {}).sort()).toEqual([...shared, ...own[name]].sort());
    }
    expect(Object.keys(service("migrator").environment ?? {}).sort()).toEqual([...own.migrator].sort());
    expect(Object.keys(service("db").environment ?? {}).sort()).toEqual(["PGDATA", "POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
  });

  test("the api's and the web's environments refer to no owner or superuser credential, nor to each other's role", () => {
    for (const [name, other] of [
      ["api", "web"],
      ["web", "api"],
    ] as const) {
      const refs = Object.values(service(name).environment ?? {}).flatMap(referenced);
      expect(refs.filter((v) => OWNER_ONLY.includes(v) || OWN_DATABASE[other].includes(v))).toEqual([]);
    }
    // The migrator is the one that holds the owner's.
    expect(Object.values(service("migrator").environment ?? {}).flatMap(referenced)).toEqual(
      expect.arrayContaining(["COMPOSE_DATABASE_URL", "DATABASE_URL"]),
    );
  });

  test("with the local db: every URL is the db host inside the network, sslmode=require, verified against the db's CA volume, each its own role", () => {
    const passwords = { POSTGRES_PASSWORD: "0".repeat(32), API_DATABASE_PASSWORD: "a".repeat(32), WEB_DATABASE_PASSWORD: "b".repeat(32) };
    const local = envExample(passwords);
    const expected: Record<string, [string, string, string]> = {
      "migrator DATABASE_URL": ["migrator", "authbridge", passwords.POSTGRES_PASSWORD],
      "migrator DIRECT_URL": ["migrator", "authbridge", passwords.POSTGRES_PASSWORD],
      "migrator API_DATABASE_URL": ["migrator", "authbridge_api", passwords.API_DATABASE_PASSWORD],
      "migrator WEB_DATABASE_URL": ["migrator", "authbridge_web", passwords.WEB_DATABASE_PASSWORD],
      "api API_DATABASE_URL": ["api", "authbridge_api", passwords.API_DATABASE_PASSWORD],
      "api API_DIRECT_URL": ["api", "authbridge_api", passwords.API_DATABASE_PASSWORD],
      "web WEB_DATABASE_URL": ["web", "authbridge_web", passwords.WEB_DATABASE_PASSWORD],
    };
    for (const [what, [name, role, password]] of Object.entries(expected)) {
      const variable = what.split(" ")[1] ?? "";
      const url = new URL(interpolate(service(name).environment?.[variable] ?? "", local));
      expect(`${what}: ${url.host} ${url.username} ${url.password === password} ${url.searchParams.get("sslmode")}`).toBe(
        `${what}: db:5432 ${role} true require`,
      );
      const ca = url.searchParams.get("sslrootcert") ?? "";
      const mount = (service(name).volumes ?? []).find((v) => v.startsWith("db-ca:"))?.split(":");
      expect(mount?.[2]).toBe("ro");
      expect(path.dirname(ca)).toBe(mount?.[1]);
    }
    // The api's and web's containers: no value holds the owner's or the superuser's password.
    for (const name of ["api", "web"]) {
      const values = Object.values(service(name).environment ?? {}).map((v) => interpolate(v, local));
      expect(values.filter((v) => v.includes(passwords.POSTGRES_PASSWORD))).toEqual([]);
    }
    // the db writes its CA into that volume
    expect(service("db").volumes).toContain("db-ca:/run/db-ca");
    expect(JSON.stringify(service("db"))).toContain("/run/db-ca/ca.crt");
  });

  test("the db's image superuser is `postgres`, refused over TCP; the owner `authbridge` is made by the mounted init script", () => {
    expect(service("db").environment?.POSTGRES_USER).toBe("postgres");
    const command = (service("db") as { command?: string[] }).command?.join("\n") ?? "";
    const hba = command.indexOf("'hostssl all postgres all reject'");
    expect(hba).toBeGreaterThan(0);
    expect(hba).toBeLessThan(command.indexOf("'hostssl all all all scram-sha-256'"));
    expect(service("db").volumes).toContain("./scripts/db-init-owner.sh:/docker-entrypoint-initdb.d/10-owner.sh:ro");
    const init = readFileSync(path.join(repoRoot, "scripts", "db-init-owner.sh"), "utf8");
    expect(init).toContain("CREATE ROLE authbridge LOGIN CREATEROLE PASSWORD :'pw'");
    expect(init).toContain("ALTER DATABASE authbridge OWNER TO authbridge");
    expect(init).not.toMatch(/SUPERUSER|BYPASSRLS/);
  });

  test("with Neon (profile and COMPOSE_*DATABASE_URL empty): every URL reaches its container unchanged", () => {
    const neon = {
      ...envExample(),
      COMPOSE_PROFILES: "",
      COMPOSE_DATABASE_URL: "",
      COMPOSE_API_DATABASE_URL: "",
      COMPOSE_WEB_DATABASE_URL: "",
      DATABASE_URL: "postgresql://o:p@ep-x-pooler.eu-central-1.aws.neon.tech/app?sslmode=require",
      DIRECT_URL: "postgresql://o:p@ep-x.eu-central-1.aws.neon.tech/app?sslmode=require",
      API_DATABASE_URL: "postgresql://a:q@ep-x-pooler.eu-central-1.aws.neon.tech/app?sslmode=require",
      API_DIRECT_URL: "postgresql://a:q@ep-x.eu-central-1.aws.neon.tech/app?sslmode=require",
      WEB_DATABASE_URL: "postgresql://w:r@ep-x-pooler.eu-central-1.aws.neon.tech/app?sslmode=require",
    };
    const given = (name: string, variable: string, env: Record<string, string> = neon) =>
      interpolate(service(name).environment?.[variable] ?? "", env);
    for (const variable of ["DATABASE_URL", "DIRECT_URL", "API_DATABASE_URL", "WEB_DATABASE_URL"]) {
      expect(given("migrator", variable)).toBe(neon[variable as keyof typeof neon]);
    }
    expect(given("api", "API_DATABASE_URL")).toBe(neon.API_DATABASE_URL);
    expect(given("api", "API_DIRECT_URL")).toBe(neon.API_DIRECT_URL);
    expect(given("web", "WEB_DATABASE_URL")).toBe(neon.WEB_DATABASE_URL);
    // and without DIRECT_URL the migrator falls back to DATABASE_URL itself: it must get an empty one
    expect(given("migrator", "DIRECT_URL", { ...neon, DIRECT_URL: "" })).toBe("");
  });

  test("the local db speaks TLS only: ssl on, hostssl + scram, every plaintext TCP connection rejected", () => {
    const command = (service("db") as { command?: string[] }).command?.join("\n") ?? "";
    expect(command).toContain("-c ssl=on");
    expect(command).toContain("hostssl all all all scram-sha-256");
    expect(command).toContain("hostnossl all all all reject");
    expect(command).toMatch(/-c hba_file=/);
    expect(command).not.toMatch(/'host all/);
  });

  test("the db's certificate (scripts/pg-tls.sh certs) names the host `db`, so node-postgres can verify it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authbridge-certs-"));
    try {
      const made = spawnSync("bash", [path.join(repoRoot, "scripts/pg-tls.sh"), "certs", dir], { encoding: "utf8" });
      expect(made.status).toBe(0);
      const san = spawnSync("openssl", ["x509", "-noout", "-ext", "subjectAltName", "-in", path.join(dir, "tls/server.crt")], { encoding: "utf8" });
      expect(san.stdout).toMatch(/DNS:db\b/);
      const verify = spawnSync("openssl", ["verify", "-CAfile", path.join(dir, "tls/ca.crt"), path.join(dir, "tls/server.crt")], {
        encoding: "utf8",
      });
      expect(verify.stdout).toMatch(/: OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ports and healthchecks", () => {
  test("web and api are published on 127.0.0.1 only, on WEB_PORT and API_PORT; db is not published", () => {
    expect(service("api").ports).toEqual(["127.0.0.1:${API_PORT:-8000}:${API_PORT:-8000}"]);
    expect(service("web").ports).toEqual(["127.0.0.1:${WEB_PORT:-3000}:${WEB_PORT:-3000}"]);
    expect(service("db").ports).toBeUndefined();
    expect(service("migrator").ports).toBeUndefined();
    for (const name of names) for (const port of service(name).ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  test("db, api and web have complete healthchecks; the migrator is a one-shot and has none", () => {
    for (const name of ["db", "api", "web"]) {
      const check = service(name).healthcheck;
      expect(check?.test?.[0]).toBe("CMD");
      for (const key of ["interval", "timeout", "start_period"] as const) durationMs(check?.[key] ?? "");
      expect(check?.retries).toBeGreaterThanOrEqual(3);
    }
    expect(service("migrator").healthcheck).toBeUndefined();
  });

  test("the api and web checks time out later than the api's own /healthz deadline (HEALTHZ_TIMEOUT_MS)", () => {
    const deadline = Number(envExample().HEALTHZ_TIMEOUT_MS);
    expect(deadline).toBeGreaterThan(0);
    for (const name of ["api", "web"]) {
      expect(durationMs(service(name).healthcheck?.timeout ?? "")).toBeGreaterThan(deadline + 1000);
    }
  });

  test("the db check goes over TCP (the first-run init serves the socket only)", () => {
    expect(service("db").healthcheck?.test).toEqual(expect.arrayContaining(["pg_isready", "-h", "127.0.0.1"]));
  });
});

describe("least privilege for every container", () => {
  /** Compose's byte sizes (`512m`, `1g`, `1536m`) in MiB. */
  const mib = (size: string | undefined) => {
    const m = /^(\d+)([mg])$/.exec(size ?? "");
    if (!m) throw new Error(`not a size in m or g: ${size}`);
    return Number(m[1]) * (m[2] === "g" ? 1024 : 1);
  };

  test("web, api and migrator: read-only root filesystem, every capability dropped, none added, no-new-privileges", () => {
    for (const name of ["web", "api", "migrator"]) {
      const s = service(name);
      expect({ name, read_only: s.read_only, cap_drop: s.cap_drop, cap_add: s.cap_add, security_opt: s.security_opt }).toEqual({
        name,
        read_only: true,
        cap_drop: ["ALL"],
        cap_add: undefined,
        security_opt: ["no-new-privileges:true"],
      });
    }
  });

  test("the only writable places are bounded tmpfs mounts: /tmp everywhere, and Next's cache folder for the web", () => {
    const mounts = (name: string) => (service(name).tmpfs ?? []).map((entry) => entry.split(":")[0]);
    expect(mounts("web")).toEqual(["/app/web/.next/cache", "/tmp"]);
    expect(mounts("api")).toEqual(["/tmp"]);
    expect(mounts("migrator")).toEqual(["/tmp"]);
    for (const name of ["web", "api", "migrator"]) for (const entry of service(name).tmpfs ?? []) expect(entry).toMatch(/:size=\d+m$/);
    // The web's cache folder is where the image's Next server writes it (WORKDIR /app/web).
    const web = (dockerTarget("Dockerfile", "web").at(-1) ?? []).map((i) => `${i.keyword} ${i.args}`);
    expect(web).toContain("WORKDIR /app/web");
    expect(web.join("\n")).toMatch(/mkdir -p web\/\.next\/cache/);
  });

  test("the db keeps only what PostgreSQL's entrypoint needs (own the data, switch to the postgres user), and no-new-privileges", () => {
    const db = service("db");
    expect(db.cap_drop).toEqual(["ALL"]);
    expect([...(db.cap_add ?? [])].sort()).toEqual(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]);
    expect(db.security_opt).toEqual(["no-new-privileges:true"]);
  });

  test("every service has a pids limit and a memory limit, with room above what was measured", () => {
    // Measured on the built programs (docs/SECURITY.md): web about 300 MB at its peak; an api
    // worker about 90 MB, up to DB_POOL_MAX of them plus the primary; about 11 threads each.
    const floors: Record<string, { memoryMiB: number; pids: number }> = {
      web: { memoryMiB: 600, pids: 64 },
      api: { memoryMiB: (Number(envExample().DB_POOL_MAX) + 1) * 90 + 256, pids: (Number(envExample().DB_POOL_MAX) + 1) * 11 * 2 },
      migrator: { memoryMiB: 256, pids: 32 },
      db: { memoryMiB: 512, pids: 128 },
    };
    for (const name of names) {
      const s = service(name);
      const floor = floors[name];
      expect(floor).toBeDefined();
      expect(`${name} memory ${mib(s.mem_limit) >= (floor?.memoryMiB ?? Infinity)}`).toBe(`${name} memory true`);
      expect(`${name} pids ${(s.pids_limit ?? 0) >= (floor?.pids ?? Infinity) && (s.pids_limit ?? 0) <= 1024}`).toBe(`${name} pids true`);
    }
  });
});

describe("Docker Compose itself, where its v2 plugin is installed", () => {
  const available = spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status === 0;
  if (!available) console.log("skipped: `docker compose config` (the Docker Compose v2 plugin is not installed here)");
  (available ? test : test.skip)(
    "`docker compose config`: the api's and web's environments hold no owner or superuser credential, the migrator's does",
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), "authbridge-compose-env-"));
      try {
        const passwords = { POSTGRES_PASSWORD: "1".repeat(32), API_DATABASE_PASSWORD: "2".repeat(32), WEB_DATABASE_PASSWORD: "3".repeat(32) };
        const owner = `postgresql://authbridge:${passwords.POSTGRES_PASSWORD}@127.0.0.1:5433/authbridge?sslmode=require`;
        const envFile = path.join(dir, ".env");
        writeFileSync(envFile, envExampleText({ ...passwords, DATABASE_URL: `"${owner}"`, BETTER_AUTH_SECRET: "x".repeat(48) }));
        const result = spawnSync("docker", ["compose", "-f", composePath, "--env-file", envFile, "config", "--format", "json"], {
          cwd: repoRoot,
          encoding: "utf8",
          env: { ...process.env, AUTHBRIDGE_ENV_FILE: envFile },
        });
        expect(result.status).toBe(0);
        const config = JSON.parse(result.stdout) as { services: Record<string, { environment?: Record<string, string | null> }> };
        const seen = (name: string) => JSON.stringify(config.services[name]?.environment ?? {});
        for (const name of ["api", "web"]) {
          expect(seen(name)).not.toContain(passwords.POSTGRES_PASSWORD);
          expect(seen(name)).not.toContain(`"DATABASE_URL"`);
        }
        expect(seen("api")).not.toContain(passwords.WEB_DATABASE_PASSWORD);
        expect(seen("web")).not.toContain(passwords.API_DATABASE_PASSWORD);
        expect(seen("api")).toContain(passwords.API_DATABASE_PASSWORD);
        expect(seen("web")).toContain(passwords.WEB_DATABASE_PASSWORD);
        expect(seen("migrator")).toContain(passwords.POSTGRES_PASSWORD);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
  (available ? test : test.skip)(
    "`docker compose config` accepts the file with the local db and with Neon, alone and with the start_interval file",
    () => {
      for (const files of [["docker-compose.yml"], ["docker-compose.yml", "docker-compose.start-interval.yml"]]) {
        for (const profiles of ["localdb", ""]) {
          const result = spawnSync(
            "docker",
            ["compose", ...files.flatMap((file) => ["-f", file]), "--env-file", path.join(repoRoot, ".env.example"), "config", "--quiet"],
            {
              cwd: repoRoot,
              encoding: "utf8",
              env: { ...process.env, COMPOSE_PROFILES: profiles, AUTHBRIDGE_ENV_FILE: ".env.example" },
            },
          );
          expect(result.stderr).toBe("");
          expect(result.status).toBe(0);
        }
      }
    },
  );
});
