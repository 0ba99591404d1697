// The built web's security headers over real HTTP: the baseline on pages, the dashboard's redirect
// and the JSON routes; a per-request CSP nonce that Next puts on the page's scripts; connect-src
// naming the API origin given at start-up (the build never saw it); HSTS only when
// BETTER_AUTH_URL is https.
import { freePort } from "@authbridge/testing/pg";
import { assertBuilt, programs, startProgram, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import { type Service, type Stack, startStack } from "@authbridge/testing/stack";

const BASELINE = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

function directives(csp: string | null): Map<string, string[]> {
  expect(csp).toBeTruthy();
  return new Map(
    (csp ?? "").split(";").map((d) => {
      const [name = "", ...sources] = d.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );
}

function nonceOf(csp: string | null): string {
  const nonce = directives(csp)
    .get("script-src")
    ?.find((s) => s.startsWith("'nonce-"));
  expect(nonce).toBeDefined();
  return (nonce ?? "").slice("'nonce-".length, -1);
}

const get = (url: string) => fetch(url, { redirect: "manual" });

describe("over http, the stack as make dev starts it", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test.each(["/", "/sign-in", "/sign-up", "/dashboard", "/api/health", "/api/auth/get-session", "/no-such-page"])(
    "%s carries the baseline and the CSP, no HSTS, no X-Powered-By",
    async (path) => {
      const response = await get(`${stack.web.url}${path}`);
      if (path === "/dashboard") expect([response.status, response.headers.get("location")]).toEqual([307, "/sign-in"]);
      for (const [name, value] of Object.entries(BASELINE)) expect([name, response.headers.get(name)]).toEqual([name, value]);
      const csp = directives(response.headers.get("content-security-policy"));
      expect(csp.get("default-src")).toEqual(["'self'"]);
      expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${nonceOf(response.headers.get("content-security-policy"))}'`, "'strict-dynamic'"]);
      // The production policy: nothing of what `next dev` adds for its overlay (unit-tested in csp.unit.test.ts).
      expect(csp.get("style-src")).toEqual(["'self'", `'nonce-${nonceOf(response.headers.get("content-security-policy"))}'`]);
      expect(csp.has("style-src-elem")).toBe(false);
      expect(csp.get("img-src")).toEqual(["'self'", "data:"]);
      expect(csp.get("connect-src")).toEqual(["'self'", stack.api.url]);
      expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
      expect(csp.get("base-uri")).toEqual(["'self'"]);
      expect(csp.get("form-action")).toEqual(["'self'"]);
      expect(csp.get("object-src")).toEqual(["'none'"]);
      expect(response.headers.get("strict-transport-security")).toBeNull();
      expect(response.headers.get("x-powered-by")).toBeNull();
    },
  );

  test("every request gets its own nonce, and every script and stylesheet of the page carries it", async () => {
    const pages = await Promise.all([get(`${stack.web.url}/sign-in`), get(`${stack.web.url}/sign-in`)]);
    const nonces = pages.map((page) => nonceOf(page.headers.get("content-security-policy")));
    expect(nonces[0]).not.toBe(nonces[1]);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    const [html, nonce] = [await pages[0].text(), nonces[0]];
    const tags = html.match(/<script\b[^>]*>|<link\b[^>]*rel="stylesheet"[^>]*>/g) ?? [];
    expect(tags.filter((tag) => tag.startsWith("<script")).length).toBeGreaterThan(3);
    expect(tags.filter((tag) => tag.startsWith("<link")).length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
    // No style="" attribute (Next's own 404 has them): style-src has no 'unsafe-inline', so one would be refused.
    const notFound = await get(`${stack.web.url}/no-such-page`);
    expect(notFound.status).toBe(404);
    for (const page of [html, await notFound.text()]) expect(page).not.toMatch(/\sstyle="/);
  });

  test("an /api path no route handles answers a JSON 404 in the api's error shape", async () => {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(`${stack.web.url}/api/no-such-route`, { method });
      expect([response.status, response.headers.get("content-type")]).toEqual([404, "application/json"]);
      expect(await response.json()).toEqual({ error: { code: "not_found", message: "no such route" } });
    }
    // Better Auth's own routes and the health route are not shadowed by it.
    expect((await get(`${stack.web.url}/api/auth/get-session`)).status).toBe(200);
  });

  test("static assets get nosniff", async () => {
    const html = await (await get(`${stack.web.url}/sign-in`)).text();
    const asset = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const response = await get(`${stack.web.url}${asset}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("a client's own Content-Security-Policy request header cannot choose the nonce", async () => {
    const response = await fetch(`${stack.web.url}/sign-in`, { headers: { "content-security-policy": "script-src 'nonce-attacker'" } });
    expect(await response.text()).not.toContain('nonce="attacker"');
  });
});

describe("over https (BETTER_AUTH_URL), with an API_URL that has a path", () => {
  let web: Service;
  const apiUrl = "https://api.example.test:8443/v1/";
  beforeAll(async () => {
    assertBuilt(programs.web);
    const port = await freePort();
    // No database: the pages checked here never query it.
    const program = startProgram("web", programs.web, {
      env: {
        NODE_ENV: "production",
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        BETTER_AUTH_SECRET: "a-secret-that-is-long-enough-0123456789abcdef",
        BETTER_AUTH_URL: "https://app.example.test",
        API_URL: apiUrl,
        WEB_DATABASE_URL: "postgresql://authbridge:pw@127.0.0.1:1/authbridge?sslmode=require",
      },
    });
    web = { ...program, url: `http://127.0.0.1:${port}` };
    await waitForUrl(web, `${web.url}/sign-in`);
  });
  afterAll(async () => {
    await stopProgram(web);
  });

  test("HSTS is sent, and connect-src names the API's origin only", async () => {
    for (const path of ["/sign-in", "/dashboard"]) {
      const response = await get(`${web.url}${path}`);
      expect(response.headers.get("strict-transport-security")).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
      expect(directives(response.headers.get("content-security-policy")).get("connect-src")).toEqual(["'self'", "https://api.example.test:8443"]);
    }
  });
});
