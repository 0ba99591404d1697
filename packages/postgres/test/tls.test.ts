// The encrypted-socket check and the shared pool settings against real PostgreSQL: one cluster
// with TLS (the repository's own CA), one without.
import { Client, Pool } from "pg";
import { type Cluster, startCluster } from "@authbridge/testing/pg";
import { POOL_LIMITS, UnencryptedConnectionError, assertEncrypted, codeOf, connectionConfig, poolConfig, tlsOf } from "../src";

let tls: Cluster | undefined;
let plain: Cluster | undefined;

beforeAll(async () => {
  [tls, plain] = await Promise.all([startCluster(), startCluster({ ssl: false })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([tls?.destroy(), plain?.destroy()]);
});

const settings = (url: string) => ({
  url,
  connectTimeoutMs: POOL_LIMITS.DB_CONNECT_TIMEOUT_MS.default,
  queryTimeoutMs: POOL_LIMITS.DB_QUERY_TIMEOUT_MS.default,
  applicationName: "postgres-test",
});

test("a TLS connection: its protocol, its certificate verified, assertEncrypted passes", async () => {
  const client = new Client(connectionConfig(settings(tls!.url)));
  await client.connect();
  try {
    expect(tlsOf(client)).toEqual({ protocol: expect.stringMatching(/^TLSv1\.[23]$/), verified: true });
    expect(() => assertEncrypted(client)).not.toThrow();
    const { rows } = await client.query<{ name: string }>("SELECT current_setting('application_name') AS name");
    expect(rows[0]?.name).toBe("postgres-test");
  } finally {
    await client.end();
  }
});

test("a plaintext connection: tlsOf is null and assertEncrypted throws UnencryptedConnectionError", async () => {
  const client = new Client({ connectionString: plain!.url });
  await client.connect();
  try {
    expect(tlsOf(client)).toBeNull();
    expect(() => assertEncrypted(client)).toThrow(UnencryptedConnectionError);
  } finally {
    await client.end();
  }
});

test("poolConfig's pool hands out TLS connections and refuses every plaintext one", async () => {
  const encrypted = new Pool(poolConfig({ ...settings(tls!.url), max: 2 }));
  const unencrypted = new Pool(poolConfig({ ...settings(plain!.url), max: 2 }));
  try {
    const { rows } = await encrypted.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    expect(rows[0]?.ssl).toBe(true);
    await expect(unencrypted.query("SELECT 1")).rejects.toThrow(UnencryptedConnectionError);
    await expect(unencrypted.connect()).rejects.toThrow("database connection is not encrypted (TLS required)");
  } finally {
    await Promise.all([encrypted.end(), unencrypted.end()]);
  }
});

test("codeOf reads a server's SQLSTATE and a socket's code, and nothing else", async () => {
  const client = new Client(connectionConfig(settings(tls!.url)));
  await client.connect();
  const serverError = await client.query("SELECT * FROM no_such_table").catch((err: unknown) => err);
  await client.end();
  expect(codeOf(serverError)).toBe("42P01");
  const refused = await new Client(connectionConfig(settings(`postgresql://x@127.0.0.1:1/x?sslmode=require`))).connect().catch((err: unknown) => err);
  expect(codeOf(refused)).toBe("ECONNREFUSED");
  expect(codeOf(new Error("no code"))).toBeUndefined();
  expect(codeOf({ code: 42 })).toBeUndefined();
  expect(codeOf(null)).toBeUndefined();
});
