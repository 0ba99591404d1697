// The migrated schema is the one Better Auth 1.7 (email + password, jwt plugin, prisma adapter,
// runtime schema check on) and Prisma Client expect: sign up through Better Auth in its own
// process (fixtures/better-auth-sign-up.ts), then read every row back through Prisma Client here.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { repoRoot, startCluster, type Cluster } from "@authbridge/testing/pg";
import { clientConfig } from "../src/db/connection";
import { type Prisma, PrismaClient } from "../src/generated/prisma/client";
import { freshDatabase, migratorRoot, runMigrator } from "./support";

const run = promisify(execFile);
const email = "ada@example.com";
const password = "correct horse battery staple";

let cluster: Cluster | undefined;
let prisma: PrismaClient | undefined;
let build: string;
let signUp: { anonymous: unknown; userId: string; sessionUserId: string | null; token: string; wrongSignIns: number[] };

beforeAll(async () => {
  build = mkdtempSync(path.join(tmpdir(), "authbridge-fixture-"));
  const compiled = run(process.execPath, [
    path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    path.join(__dirname, "fixtures"),
    "--outDir",
    build,
  ]);
  cluster = await startCluster();
  const url = await freshDatabase(cluster);
  const migrated = await runMigrator({ DATABASE_URL: url });
  if (migrated.code !== 0) throw new Error(`migrator failed: ${migrated.output}`);
  await compiled;
  const { stdout } = await run(process.execPath, [path.join(build, "test", "fixtures", "better-auth-sign-up.js"), url, email, password], {
    // The compiled fixture lives outside the repository: resolve packages from the workspace.
    env: {
      PATH: process.env.PATH ?? "",
      NODE_PATH: [path.join(migratorRoot, "node_modules"), path.join(repoRoot, "node_modules")].join(path.delimiter),
    },
  });
  signUp = JSON.parse(stdout) as typeof signUp;
  prisma = new PrismaClient({ adapter: new PrismaPg(clientConfig(new URL(url), "DATABASE_URL")) });
}, 120_000);
afterAll(async () => {
  await prisma?.$disconnect();
  await cluster?.destroy();
  rmSync(build, { recursive: true, force: true });
});

function client(): PrismaClient {
  if (!prisma) throw new Error("setup failed");
  return prisma;
}

test("Better Auth's runtime schema check passes and a signed-up user has a working session", () => {
  expect(signUp.anonymous).toBeNull();
  expect(signUp.sessionUserId).toBe(signUp.userId);
});

test("Prisma Client reads the Better Auth user, its credential account and session", async () => {
  const user = await client().user.findUniqueOrThrow({ where: { email }, include: { accounts: true, sessions: true } });
  expect(user).toMatchObject({ id: signUp.userId, name: "Ada Lovelace", emailVerified: false, image: null });
  expect(user.accounts).toHaveLength(1);
  expect(user.accounts[0]).toMatchObject({ providerId: "credential", accountId: user.id });
  expect(user.accounts[0]?.password).toMatch(/^[0-9a-f]+:[0-9a-f]+$/); // scrypt salt:hash
  expect(user.accounts[0]?.password).not.toContain(password);
  expect(user.sessions).toHaveLength(1);
});

test("the jwt plugin stored its key pair in jwks (alg and crv columns included)", async () => {
  expect(signUp.token.split(".")).toHaveLength(3);
  const keys = await client().jwks.findMany();
  expect(keys).toHaveLength(1);
  expect(keys[0]).toMatchObject({ alg: "EdDSA", crv: "Ed25519" });
});

test("Better Auth's database rate limit counts in rate_limit: the 4th wrong sign-in from one address is refused", async () => {
  expect(signUp.wrongSignIns).toEqual([401, 401, 401, 429]);
  const rows = await client().rateLimit.findMany();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ key: "203.0.113.5|/sign-in/email", count: 3 });
  expect(Number(rows[0]?.lastRequest)).toBeGreaterThan(Date.now() - 120_000);
});

test("tasks belong to a user: blank titles are refused, deleting the user deletes them", async () => {
  const db = client();
  // Row-level security on task is forced, for the owner too: each statement runs for the user.
  const asUser = async <T>(query: Prisma.PrismaPromise<T>): Promise<T> =>
    (await db.$transaction([db.$queryRaw`SELECT set_config('app.user_id', ${signUp.userId}, true)`, query]))[1];
  const task = await asUser(db.task.create({ data: { userId: signUp.userId, title: "prove isolation" } }));
  expect(task).toMatchObject({ done: false, title: "prove isolation" });
  expect(await asUser(db.task.count())).toBe(1);
  await expect(asUser(db.task.create({ data: { userId: signUp.userId, title: "  " } }))).rejects.toThrow(/task_title_not_blank/);
  await db.user.delete({ where: { id: signUp.userId } });
  expect(await asUser(db.task.count())).toBe(0);
  expect(await db.session.count()).toBe(0);
  expect(await db.account.count()).toBe(0);
});
