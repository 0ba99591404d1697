import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { repoRoot } from "@authbridge/testing/pg";

// make-env.sh writes next to its own folder, so each test runs a copy of scripts/ in a temp tree.
function sandbox(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "authbridge-env-"));
  cpSync(path.join(repoRoot, "scripts"), path.join(dir, "scripts"), { recursive: true });
  cpSync(path.join(repoRoot, ".env.example"), path.join(dir, ".env.example"));
  return dir;
}

function parseEnv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m?.[1]) vars[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

const makeEnv = (dir: string) => spawnSync("bash", [path.join(dir, "scripts", "make-env.sh")], { encoding: "utf8" });

describe("make env", () => {
  let dirs: string[] = [];
  afterEach(() => {
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
    dirs = [];
  });

  test("creates .env with a fresh 48-byte secret, a database password and a TLS database URL", () => {
    const dir = sandbox();
    dirs.push(dir);
    const result = makeEnv(dir);
    expect(result.status).toBe(0);
    const env = parseEnv(readFileSync(path.join(dir, ".env"), "utf8"));
    expect(Buffer.from(env.BETTER_AUTH_SECRET ?? "", "base64")).toHaveLength(48);
    expect(env.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{32}$/);
    const url = new URL(env.DATABASE_URL ?? "");
    expect(url.password).toBe(env.POSTGRES_PASSWORD);
    expect(url.searchParams.get("sslmode")).toBe("require");
    expect(url.searchParams.get("sslrootcert")).toBe(path.join(dir, ".data/postgres/tls/ca.crt"));
    expect(url.port).toBe(env.DB_PORT);
    // every variable of the example survives, and the secret is not echoed
    const example = parseEnv(readFileSync(path.join(dir, ".env.example"), "utf8"));
    expect(Object.keys(env).sort()).toEqual(Object.keys(example).sort());
    expect(result.stdout).not.toContain(env.BETTER_AUTH_SECRET);
  });

  test("each service gets its own role and a fresh password, on the same cluster as the owner; the Compose URLs use the same passwords", () => {
    const dir = sandbox();
    dirs.push(dir);
    expect(makeEnv(dir).status).toBe(0);
    const env = parseEnv(readFileSync(path.join(dir, ".env"), "utf8"));
    const owner = new URL(env.DATABASE_URL ?? "");
    const passwords = new Set([env.POSTGRES_PASSWORD]);
    for (const [service, role] of [
      ["WEB", "authbridge_web"],
      ["API", "authbridge_api"],
    ] as const) {
      const password = env[`${service}_DATABASE_PASSWORD`] ?? "";
      expect(password).toMatch(/^[0-9a-f]{32}$/);
      passwords.add(password);
      const url = new URL(env[`${service}_DATABASE_URL`] ?? "");
      expect([url.username, url.password, url.host, url.pathname, url.search]).toEqual([role, password, owner.host, owner.pathname, owner.search]);
      // Compose interpolates ${..._DATABASE_PASSWORD} into the in-network URL of the same role.
      expect(env[`COMPOSE_${service}_DATABASE_URL`]).toContain(`${role}:\${${service}_DATABASE_PASSWORD}@db:5432/`);
      expect(makeEnv(dir).stdout).not.toContain(password);
    }
    expect(passwords.size).toBe(3);
  });

  test("every .env gets its own secret", () => {
    const [a, b] = [sandbox(), sandbox()];
    dirs.push(a, b);
    makeEnv(a);
    makeEnv(b);
    const secret = (d: string) => parseEnv(readFileSync(path.join(d, ".env"), "utf8")).BETTER_AUTH_SECRET;
    expect(secret(a)).not.toEqual(secret(b));
  });

  test("never overwrites an existing .env, says so, and exits 0", () => {
    const dir = sandbox();
    dirs.push(dir);
    writeFileSync(path.join(dir, ".env"), "BETTER_AUTH_SECRET=mine\n");
    const result = makeEnv(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/already exists/);
    expect(readFileSync(path.join(dir, ".env"), "utf8")).toBe("BETTER_AUTH_SECRET=mine\n");
  });

  test(".env is readable only by its owner", () => {
    const dir = sandbox();
    dirs.push(dir);
    makeEnv(dir);
    const mode = execFileSync("stat", ["-c", "%a", path.join(dir, ".env")], { encoding: "utf8" }).trim();
    expect(mode).toBe("600");
  });
});
