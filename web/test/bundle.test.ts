// What the browser downloads (.next/static) holds no server-only code: no token key derivation,
// no database client, no environment variable names. The positive controls make sure the test
// looks at the real output (the server bundle has those strings, the client bundle has the UI).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { assertBuilt } from "@authbridge/testing/processes";

const web = path.join(__dirname, "..");
const staticDir = path.join(web, ".next", "static");
const serverDir = path.join(web, ".next", "server");

beforeAll(() => assertBuilt(staticDir, serverDir));

function readAll(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .map((file) => readFileSync(path.join(dir, file), "utf8"))
    .join("\n");
}

// Not BETTER_AUTH_SECRET: Better Auth's client library carries that name (it reads an env that
// a browser does not have). Whether the secret's VALUE reaches a browser is checked by the e2e run.
const SERVER_ONLY = [
  "authbridge api access token v1", // the HKDF label of the token key (lib/tokenKey)
  "hkdfSync",
  "WEB_DATABASE_URL", // config
  "refusing to start",
  "@prisma/adapter-pg", // lib/db
  "uselibpqcompat",
  "authbridge-web", // the pool's application_name
];

test("the client bundle has none of the server-only markers", () => {
  const client = readAll(staticDir);
  expect(client).toContain("Verified by the API as");
  for (const marker of SERVER_ONLY) expect({ marker, found: client.includes(marker) }).toEqual({ marker, found: false });
});

test("the server bundle does have them (the markers are real)", () => {
  const server = readAll(serverDir);
  for (const marker of SERVER_ONLY) expect({ marker, found: server.includes(marker) }).toEqual({ marker, found: true });
});
