// The web's database connection dropped under a read (a Neon compute suspending, a failover, a
// PgBouncer restart): the built web in production mode, its WEB_DATABASE_URL through a relay that cuts
// the next connection that sends anything, with no word from the server. A session check and a
// token request still answer 200: the read runs once more on a fresh connection, and the web logs
// the retry (the same pool as the api's, from @authbridge/postgres).
import { type User, fetchToken, newUser } from "@authbridge/testing/auth";
import { type Relay, startRelay, withPort } from "@authbridge/testing/faults";
import { freePort } from "@authbridge/testing/pg";
import { type Service, type Stack, startStack } from "@authbridge/testing/stack";

let stack: Stack;
let relay: Relay;
let web: Service;
let user: User;

beforeAll(async () => {
  stack = await startStack({ webs: 0, apis: 0 });
  relay = await startRelay(stack.cluster.port);
  const port = await freePort();
  web = await stack.startWeb({
    PORT: String(port),
    BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
    WEB_DATABASE_URL: withPort(stack.serviceUrls.web, relay.port),
  });
  user = await newUser(web.url, "dropped");
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await relay?.close();
});

interface Read {
  user?: { email?: string };
  token?: string;
}

const retryLines = () => web.lines.filter((line) => line.includes("retrying on a fresh connection") || line.includes("opening a fresh one"));

test.each([
  [
    "a session check",
    async (): Promise<Read> => (await fetch(`${web.url}/api/auth/get-session`, { headers: { cookie: user.cookie } })).json() as Promise<Read>,
  ],
  ["a token request", async (): Promise<Read> => ({ token: await fetchToken(web.url, user.cookie) })],
])("%s whose database connection is cut answers from a fresh connection", async (_what, read) => {
  const [cuts, retries] = [relay.cuts(), retryLines().length];
  relay.armCut();
  const body = await read();
  expect(relay.cuts()).toBe(cuts + 1);
  if ("token" in body) expect(body.token?.split(".")).toHaveLength(3);
  else expect(body.user?.email).toBe(user.email);
  expect(retryLines().length).toBeGreaterThan(retries);
});
