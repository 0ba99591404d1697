// A URL that does not say sslmode=require exactly stops the migrator with exit 2 before it opens
// any connection: a TCP listener stands where the database would be and counts connections.
import { createServer, type Server } from "node:net";
import { logRecords, runMigrator } from "./support";

const password = "s3cret-never-logged-7f3a9c";
let server: Server;
let connections = 0;
let base: string;

beforeAll(async () => {
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  base = `postgresql://authbridge:${password}@127.0.0.1:${address.port}/authbridge`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  connections = 0;
});

type Case = [name: string, env: (base: string) => Record<string, string>, says: RegExp];
const refusals: Case[] = [
  ["sslmode=disable", (b) => ({ DATABASE_URL: `${b}?sslmode=disable` }), /DATABASE_URL has sslmode=disable: migrations need sslmode=require exactly/],
  ["no sslmode", (b) => ({ DATABASE_URL: b }), /DATABASE_URL has no sslmode/],
  [
    "sslmode=verify-full",
    (b) => ({ DATABASE_URL: `${b}?sslmode=verify-full` }),
    /DATABASE_URL has sslmode=verify-full: .*treats verify-full as prefer/,
  ],
  ["sslmode=prefer", (b) => ({ DATABASE_URL: `${b}?sslmode=prefer` }), /DATABASE_URL has sslmode=prefer/],
  ["sslmode given twice", (b) => ({ DATABASE_URL: `${b}?sslmode=require&sslmode=disable` }), /DATABASE_URL gives sslmode more than once/],
  ["an unknown sslmode", (b) => ({ DATABASE_URL: `${b}?sslmode=${password}` }), /DATABASE_URL has an unknown sslmode/],
  [
    "DIRECT_URL wins over DATABASE_URL",
    (b) => ({ DIRECT_URL: `${b}?sslmode=disable`, DATABASE_URL: `${b}?sslmode=require` }),
    /DIRECT_URL has sslmode=disable/,
  ],
  ["no URL at all", () => ({}), /DATABASE_URL is not set/],
  ["not a URL", () => ({ DATABASE_URL: `not a url ${password}` }), /DATABASE_URL is not a valid URL/],
  ["another scheme", () => ({ DATABASE_URL: `mysql://root:${password}@127.0.0.1/x?sslmode=require` }), /DATABASE_URL must be a postgresql:\/\/ URL/],
  ["a bad wait budget", (b) => ({ DATABASE_URL: `${b}?sslmode=require`, MIGRATE_WAIT_SECONDS: "soon" }), /invalid environment: MIGRATE_WAIT_SECONDS/],
  [
    "an unreadable sslrootcert",
    (b) => ({ DATABASE_URL: `${b}?sslmode=require&sslrootcert=/nonexistent/ca.crt` }),
    /sslrootcert file that cannot be read/,
  ],
];

test.each(refusals)("%s: exit 2, one line naming the variable, nothing contacted, no secret", async (_name, env, says) => {
  const run = await runMigrator(env(base));
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.messages.stderr).toMatch(says);
  expect(run.output).not.toContain(password);
  expect(connections).toBe(0);
});

test("an empty DIRECT_URL (as .env.example leaves it) falls back to DATABASE_URL", async () => {
  const run = await runMigrator({ DIRECT_URL: "", DATABASE_URL: `${base}?sslmode=disable` });
  expect(run.code).toBe(2);
  // One error line with the fields every service logs.
  expect(logRecords(run.stderr, "stderr")).toEqual([
    {
      level: 50,
      time: expect.any(Number),
      service: "migrator",
      pid: expect.any(Number),
      msg: expect.stringMatching(/^DATABASE_URL has sslmode=disable/),
    },
  ]);
});
