/**
 * Rotating the shared secret under load (docs/ROTATION.md): two signed-in users keep using the app
 * the way the browser does (API calls with a bearer token the web hands out, replaced before it
 * expires, session checks) while the whole rotation runs: a version is added, the api restarts,
 * the web restarts, the old version is dropped, both restart again. Each restart is a rolling one
 * behind a front (as a load balancer does it): the new process answers first, then the old one
 * drains and stops. Every request must succeed; the count is printed.
 */
import { createHmac, randomBytes } from "node:crypto";
import { type Cluster, freePort, startCluster } from "@authbridge/testing/pg";
import { refreshAfterMs } from "../../web/src/lib/tokenRefresh";
import { type Front, startFront } from "./support/front";
import { migrate } from "@authbridge/testing/migrator";
import { roleEnv, serviceUrls } from "@authbridge/testing/roles";
import { type Program, assertBuilt, programs, startProgram, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { logsDir } from "./support/paths";
import { record, rememberSecret } from "./support/record";
import { contractKey, mint } from "@authbridge/testing/tokens";
import { CookieJar, freshIp, newUser } from "@authbridge/testing/auth";
import { UNLIMITED_WRITES } from "./support/writeLimit";

const TTL_SECONDS = 10;
const CLOCK_TOLERANCE_SECONDS = 5;
const OLD = randomBytes(48).toString("base64");
const NEW = randomBytes(48).toString("base64");

interface Failure {
  user: string;
  what: string;
  status: number | string;
  phase: string;
}

const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;

/** A signed-in browser: its cookie jar, its API token, and what it did. */
class Browser {
  readonly cookies: CookieJar;
  token: string | null = null;
  replaceTokenAt = 0;
  iterations = 0;

  constructor(
    readonly label: string,
    readonly userId: string,
    sessionCookie: string,
    private readonly run: Run,
  ) {
    this.cookies = new CookieJar(sessionCookie);
  }

  get tokenKid(): unknown {
    return this.token ? decode(this.token.split(".")[0]).kid : undefined;
  }

  /** The session cookie's value, decoded: `<session token>.<signature>`. */
  sessionCookie(): string {
    const pair = this.cookies.sessionCookie() ?? "";
    return decodeURIComponent(pair.slice(pair.indexOf("=") + 1));
  }

  private async send(url: string, init: Omit<RequestInit, "headers"> & { headers?: Record<string, string> } = {}): Promise<Response | null> {
    this.run.requests++;
    const cookie = this.cookies.header();
    try {
      const response = await fetch(url, {
        ...init,
        headers: { cookie, origin: this.run.web.url, "x-forwarded-for": freshIp(), ...init.headers },
        signal: AbortSignal.timeout(20_000),
      });
      // A re-signed session cookie is as secret as the first one: the jar announces it to the log audit.
      this.cookies.store(response.headers.getSetCookie());
      if (!response.ok) this.fail(new URL(url).pathname, response.status);
      return response.ok ? response : null;
    } catch (error) {
      this.fail(new URL(url).pathname, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  private fail(what: string, status: number | string): void {
    this.run.failures.push({ user: this.label, what, status, phase: this.run.phase });
  }

  private async bearer(): Promise<string | null> {
    if (this.token && Date.now() < this.replaceTokenAt) return this.token;
    const response = await this.send(`${this.run.web.url}/api/auth/token`);
    if (!response) return null;
    const { token } = (await response.json()) as { token: string };
    rememberSecret("token", token);
    this.token = token;
    this.replaceTokenAt = Date.now() + refreshAfterMs(token);
    return token;
  }

  /** What the dashboard does: a token, the user, the tasks, sometimes a new task and a session check. */
  async iterate(): Promise<void> {
    const token = await this.bearer();
    if (token) {
      const authorization = `Bearer ${token}`;
      const me = await this.send(`${this.run.api.url}/api/me`, { headers: { authorization } });
      if (me && ((await me.json()) as { id?: string }).id !== this.userId) this.fail("/api/me names another user", 200);
      const tasksUrl = `${this.run.api.url}/api/${encodeURIComponent(this.userId)}/tasks`;
      await this.send(tasksUrl, { headers: { authorization } }).then((r) => r?.arrayBuffer());
      if (this.iterations % 5 === 0) {
        const body = JSON.stringify({ title: `task ${this.iterations} (${this.run.phase})` });
        await this.send(tasksUrl, { method: "POST", body, headers: { authorization, "content-type": "application/json" } }).then((r) =>
          r?.arrayBuffer(),
        );
      }
    }
    if (this.iterations % 3 === 0 && !(await this.signedIn())) this.fail("get-session: signed out", 200);
    this.iterations++;
  }

  async signedIn(): Promise<boolean> {
    const response = await this.send(`${this.run.web.url}/api/auth/get-session`);
    const body = (await response?.json()) as { user?: { id?: string } } | null | undefined;
    return body?.user?.id === this.userId;
  }
}

interface Run {
  api: Front;
  web: Front;
  phase: string;
  requests: number;
  failures: Failure[];
}

/** Polls a predicate with a deadline: the test waits for events, never for time. */
async function until(run: Run, what: string, predicate: () => boolean, deadlineMs = 90_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}; failures so far: ${JSON.stringify(run.failures.slice(0, 5))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let cluster: Cluster | undefined;
const fronts: Front[] = [];
afterAll(async () => {
  await Promise.all(fronts.map((front) => front.close()));
  await cluster?.destroy();
});

test("the whole rotation under load from two signed-in users: no request refused or failed, both still signed in", async () => {
  assertBuilt(programs.api, programs.web, programs.migrator);
  for (const secret of [OLD, NEW]) {
    rememberSecret("auth-secret", secret);
    rememberSecret("token-key", contractKey(secret).toString("base64url"));
  }
  cluster = await startCluster();
  const roles = serviceUrls(cluster.url);
  await migrate(cluster.url, { logDir: logsDir, env: roleEnv(roles) });

  // The fronts own the public URLs: the token's iss and aud, and Better Auth's baseURL.
  const api = await startFront(0);
  const web = await startFront(0);
  fronts.push(api, web);
  const shared = { BETTER_AUTH_URL: web.url, API_URL: api.url, API_DATABASE_URL: roles.api, WEB_DATABASE_URL: roles.web };
  const startApi = async (secrets: string): Promise<{ child: Program; port: number }> => {
    const port = await freePort();
    const env = {
      ...shared,
      BETTER_AUTH_SECRETS: secrets,
      API_PORT: String(port),
      JWT_CLOCK_TOLERANCE_SECONDS: String(CLOCK_TOLERANCE_SECONDS),
      ...UNLIMITED_WRITES,
      LOG_LEVEL: "debug",
    };
    const child = startProgram("api", programs.api, { env, logDir: logsDir });
    await waitForUrl(child, `http://127.0.0.1:${port}/healthz`, 60_000);
    return { child, port };
  };
  const startWeb = async (secrets: string): Promise<{ child: Program; port: number }> => {
    const port = await freePort();
    const env = {
      ...shared,
      BETTER_AUTH_SECRETS: secrets,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      JWT_TTL_SECONDS: String(TTL_SECONDS),
      LOG_LEVEL: "debug",
      // The front on loopback is the web's reverse proxy: each browser request's X-Forwarded-For
      // names its own client, as a real proxy would. Untrusted, every request would count against
      // the front's one address and a fast run would meet Better Auth's rate limit (429).
      TRUSTED_PROXIES: "127.0.0.1",
    };
    const child = startProgram("web", programs.web, { env, logDir: logsDir });
    await waitForUrl(child, `http://127.0.0.1:${port}/api/health`, 60_000);
    return { child, port };
  };
  /** Rolling restart: the new process answers, the front moves to it, the old one drains and stops. */
  const replace = async (front: Front, old: { child: Program; port: number }, next: Promise<{ child: Program; port: number }>) => {
    const started = await next;
    front.switch(started.port);
    await front.drained(old.port);
    await stopProgram(old.child);
    return started;
  };

  const fingerprints = (child: Program) =>
    child.lines
      .map((line) => JSON.parse(line.startsWith("{") ? line : "{}") as { keyFingerprints?: Record<string, string> })
      .find((l) => l.keyFingerprints)?.keyFingerprints;

  let apiProcess = await startApi(`1:${OLD}`);
  let webProcess = await startWeb(`1:${OLD}`);
  api.switch(apiProcess.port);
  web.switch(webProcess.port);

  const run: Run = { api, web, phase: "before", requests: 0, failures: [] };
  const [alice, bob, idle] = await Promise.all(["alice", "bob", "idle"].map((label) => newUser(web.url, label)));
  if (!alice || !bob || !idle) throw new Error("sign-up failed");
  const browsers = [new Browser("alice", alice.id, alice.cookie, run), new Browser("bob", bob.id, bob.cookie, run)];

  let loading = true;
  const loops = browsers.map(async (browser) => {
    while (loading) {
      await browser.iterate();
      // A person's pace, not a benchmark: bounded load on a shared machine.
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  const iterationsNow = () => browsers.map((b) => b.iterations);
  const moreIterations = async (what: string, count: number) => {
    const from = iterationsNow();
    await until(run, what, () => browsers.every((b, i) => b.iterations >= (from[i] ?? 0) + count));
  };
  const signedWith = (secret: string, cookie: string) => {
    const dot = cookie.lastIndexOf(".");
    return createHmac("sha256", secret).update(cookie.slice(0, dot)).digest("base64") === cookie.slice(dot + 1);
  };

  try {
    await moreIterations("load under version 1", 3);
    expect(browsers.every((b) => b.tokenKid === "1" && signedWith(OLD, b.sessionCookie()))).toBe(true);

    // 1. make rotate-secret: "2:<new>,1:<old>". 2. The api first: it accepts both versions.
    run.phase = "api knows 2 and 1";
    apiProcess = await replace(api, apiProcess, startApi(`2:${NEW},1:${OLD}`));
    expect(fingerprints(apiProcess.child)).toEqual({ "2": expect.any(String), "1": expect.any(String) });
    await moreIterations("load with the new api, tokens still version 1", 3);

    // 3. Then the web: it signs with version 2 and re-signs version-1 session cookies.
    run.phase = "web signs with 2";
    webProcess = await replace(web, webProcess, startWeb(`2:${NEW},1:${OLD}`));
    expect(fingerprints(webProcess.child)).toEqual(fingerprints(apiProcess.child));
    // The event that makes finishing safe: every browser holds a version-2 token and cookie.
    await until(run, "every browser on version 2", () => browsers.every((b) => b.tokenKid === "2" && signedWith(NEW, b.sessionCookie())));
    await moreIterations("load on version 2", 2);

    // While both versions are configured: a token must name its key, and the right one.
    const audience = { secret: NEW, issuer: web.url, audience: api.url, clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS };
    const me = async (token: string) => {
      run.requests++;
      return (await fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    };
    const oldKey = contractKey(OLD);
    const overlap = {
      newKid2: await me(mint(audience, alice, { header: { kid: "2" } })),
      oldKid1: await me(mint(audience, alice, { header: { kid: "1" }, key: oldKey })),
      noKid: await me(mint(audience, alice, { header: { kid: undefined } })),
      oldKeyNamedKid2: await me(mint(audience, alice, { header: { kid: "2" }, key: oldKey })),
      newKeyNamedKid1: await me(mint(audience, alice, { header: { kid: "1" } })),
    };
    expect(overlap).toEqual({ newKid2: 200, oldKid1: 200, noKid: 401, oldKeyNamedKid2: 401, newKeyNamedKid1: 401 });

    // 4. make rotate-secret-finish: "2:<new>"; api, then web.
    run.phase = "finish: api";
    apiProcess = await replace(api, apiProcess, startApi(`2:${NEW}`));
    run.phase = "finish: web";
    webProcess = await replace(web, webProcess, startWeb(`2:${NEW}`));
    expect(fingerprints(webProcess.child)).toEqual({ "2": fingerprints(apiProcess.child)?.["2"] });
    run.phase = "after";
    await moreIterations("load after the rotation", 4);

    loading = false;
    await Promise.all(loops);
    const stillSignedIn = await Promise.all(browsers.map((b) => b.signedIn()));

    const after = {
      retiredKid1: await me(mint(audience, alice, { header: { kid: "1" }, key: oldKey })),
      unknownKid: await me(mint(audience, alice, { header: { kid: "3" } })),
      unknownKidOldKey: await me(mint(audience, alice, { header: { kid: "3" }, key: oldKey })),
      currentKid2: await me(mint(audience, alice, { header: { kid: "2" } })),
    };
    // A session whose cookie no request brought back while both versions were configured.
    const idleCookie = await fetch(`${web.url}/api/auth/get-session`, { headers: { cookie: idle.cookie } });
    run.requests++;
    const idleSession = (await idleCookie.json()) as { user?: unknown } | null;

    const perUser = Object.fromEntries(browsers.map((b) => [b.label, b.iterations]));
    console.log(
      `rotation under load: ${run.requests} requests, ${run.failures.length} refused or failed; iterations per user ${JSON.stringify(perUser)}; ` +
        `after finish: ${JSON.stringify(after)}`,
    );
    record({ requests: run.requests, failures: run.failures.length }, { iterations: perUser, overlap, after });
    expect(run.failures).toEqual([]);
    expect(stillSignedIn).toEqual([true, true]);
    expect(after).toEqual({ retiredKid1: 401, unknownKid: 401, unknownKidOldKey: 401, currentKid2: 200 });
    // The limit Better Auth sets (docs/ROTATION.md): it checks cookies with the current secret only,
    // so a version-1 cookie unseen during the overlap is not accepted once version 1 is gone.
    expect(idleCookie.status).toBe(200);
    expect(idleSession?.user ?? null).toBeNull();
  } finally {
    loading = false;
    await Promise.all(loops);
    await stopProgram(apiProcess.child);
    await stopProgram(webProcess.child);
  }
}, 300_000);
