// The URL rules every service applies: what the config validators refuse (and that their words
// never carry the URL), how TLS is pinned, and what can be told from a URL without printing it.
import { databaseHostKind, isTransactionPooler, pinnedTlsUrl, tlsUrlProblem } from "../src";

const SECRET = "pw-that-must-not-leak";
const url = (query: string, host = "db.example.com") => `postgresql://app:${SECRET}@${host}:5432/app${query}`;

test.each([
  ["require", url("?sslmode=require")],
  ["verify-ca", url("?sslmode=verify-ca")],
  ["verify-full", url("?sslmode=verify-full&sslrootcert=/ca.crt")],
  ["postgres: scheme", url("?sslmode=require").replace("postgresql:", "postgres:")],
])("accepts a TLS URL: %s", (_name, input) => {
  expect(tlsUrlProblem(input)).toBeNull();
});

test.each([
  ["no sslmode", url(""), /^must carry sslmode=require\|verify-ca\|verify-full /],
  ["sslmode=disable", url("?sslmode=disable"), /^must carry sslmode=/],
  ["sslmode=prefer (may fall back to plaintext)", url("?sslmode=prefer"), /^must carry sslmode=/],
  ["an http URL", `https://app:${SECRET}@db.example.com/?sslmode=require`, /^must be a postgresql:\/\/ URL$/],
  ["not a URL", `app:${SECRET}@db`, /^must be a postgresql:\/\/ URL$/],
])("refuses %s, without repeating the value", (_name, input, message) => {
  const problem = tlsUrlProblem(input);
  expect(problem).toMatch(message);
  expect(problem).not.toContain(SECRET);
  expect(problem).not.toContain("db.example.com");
});

test.each([
  ["require", "verify-full"],
  ["verify-ca", "verify-full"],
  ["verify-full", "verify-full"],
  ["no-verify", "no-verify"],
])("pins sslmode=%s as %s, keeping the rest of the URL", (mode, pinned) => {
  const parsed = new URL(pinnedTlsUrl(url(`?sslmode=${mode}&sslrootcert=/run/ca.crt`)));
  expect(parsed.searchParams.get("sslmode")).toBe(pinned);
  expect(parsed.searchParams.get("sslrootcert")).toBe("/run/ca.crt");
  expect(parsed.password).toBe(SECRET);
  expect(parsed.host).toBe("db.example.com:5432");
});

test("leaves sslmode alone when the operator asked for libpq's meaning", () => {
  const input = url("?sslmode=require&uselibpqcompat=true");
  expect(pinnedTlsUrl(input)).toBe(input);
});

test.each([
  ["ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech", true],
  ["ep-cool-name-123456.eu-central-1.aws.neon.tech", false],
  ["localhost", false],
])("transaction pooler: %s -> %s", (host, pooler) => {
  expect(isTransactionPooler(url("?sslmode=require", host))).toBe(pooler);
});

test.each([
  ["ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech", "neon"],
  ["localhost", "local"],
  ["127.0.0.1", "local"],
  ["[::1]", "local"],
  ["db", "local"], // a Compose service
  ["db.example.com", "other"],
  ["[2001:db8::1]", "other"],
])("host kind: %s -> %s", (host, kind) => {
  expect(databaseHostKind(url("?sslmode=require", host))).toBe(kind);
});
