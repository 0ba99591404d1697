// The built web server refuses a bad environment: exit code non-zero, one line naming the
// variable, never its value.
import { freePort } from "../../testing/pg";
import { assertBuilt, startProcess, webServer } from "./support/stack";

beforeAll(() => assertBuilt(webServer));

const DB_PASSWORD = "db-password-that-must-not-leak";
const GOOD = {
  BETTER_AUTH_SECRET: "a-secret-that-is-long-enough-0123456789abcdef",
  BETTER_AUTH_URL: "http://127.0.0.1:3999",
  API_URL: "http://127.0.0.1:8999",
  DATABASE_URL: `postgresql://authbridge:${DB_PASSWORD}@127.0.0.1:1/authbridge?sslmode=require`,
};

async function refusal(env: Record<string, string>) {
  const server = startProcess(webServer, { ...env, PORT: String(await freePort()), HOSTNAME: "127.0.0.1" });
  const killer = setTimeout(() => server.process.kill("SIGKILL"), 30_000);
  const code = await server.exited;
  clearTimeout(killer);
  return { code, lines: server.output.filter((line) => line.includes("refusing to start")), all: server.output.join("\n") };
}

test.each([
  ["missing", "BETTER_AUTH_SECRET", { ...GOOD, BETTER_AUTH_SECRET: "" }, "BETTER_AUTH_SECRET is missing"],
  ["too short", "BETTER_AUTH_SECRET", { ...GOOD, BETTER_AUTH_SECRET: "short-secret-must-not-leak" }, "BETTER_AUTH_SECRET must be at least 32"],
  ["without TLS", "DATABASE_URL", { ...GOOD, DATABASE_URL: GOOD.DATABASE_URL.replace("require", "disable") }, "DATABASE_URL must carry sslmode="],
  ["not a URL", "API_URL", { ...GOOD, API_URL: "api:8000-must-not-leak" }, "API_URL must be an absolute http(s) URL"],
])("%s %s: exits non-zero with one line naming it", async (_case, name, env, message) => {
  const { code, lines, all } = await refusal(env);
  expect(code).not.toBe(0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(message);
  const value = (env as Record<string, string>)[name] ?? "";
  if (value) expect(all).not.toContain(value);
  expect(all).not.toContain(DB_PASSWORD);
});
