// `make dev` looks like production: `next dev` (Turbopack) serves a page that Chromium renders with
// no Content-Security-Policy refusal, and Next's dev indicator is styled (its `<style>` elements
// live in a shadow root without the nonce). The production policy is asserted unchanged on the
// built server in headers.test.ts. The screenshot goes to web/test-results/dev/.
import { CHROMIUM, haveChromium, launchChromium } from "@authbridge/testing/browser";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { freePort, repoRoot } from "@authbridge/testing/pg";
import { startCommand, stopProgram, waitForUrl } from "@authbridge/testing/processes";
import type { Service } from "@authbridge/testing/stack";

const shots = path.join(__dirname, "..", "test-results", "dev");
if (!haveChromium) console.warn(`next dev browser check skipped: ${CHROMIUM} not found (apt-get install chromium)`);
const describeDev = haveChromium ? describe : describe.skip;

// Turbopack compiles a route on its first request: tens of seconds on a busy 2-core machine.
const FIRST_COMPILE_MS = 240_000;

/** What Chromium or React print when the policy refuses something (React names the header with hyphens). */
const isCspRefusal = (text: string) => /Content.Security.Policy/i.test(text);

describeDev("next dev: the page and the dev tools run under the development CSP", () => {
  let web: Service | undefined;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const port = await freePort();
    // No database: the sign-in page does not query it.
    const program = startCommand(
      "web",
      path.join(repoRoot, "node_modules", ".bin", "next"),
      ["dev", "--port", String(port), "--hostname", "127.0.0.1"],
      {
        cwd: path.join(repoRoot, "web"),
        env: {
          NODE_ENV: "development",
          BETTER_AUTH_SECRET: "a-secret-that-is-long-enough-0123456789abcdef",
          BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
          API_URL: "http://127.0.0.1:9",
          WEB_DATABASE_URL: "postgresql://authbridge:pw@127.0.0.1:1/authbridge?sslmode=require",
        },
      },
    );
    web = { ...program, url: `http://127.0.0.1:${port}` };
    const started = Date.now();
    await waitForUrl(web, `${web.url}/sign-in`, FIRST_COMPILE_MS);
    console.log(`next dev: /sign-in compiled and answered after ${Date.now() - started} ms`);
  }, FIRST_COMPILE_MS + 30_000);

  afterAll(async () => {
    await stopProgram(web);
  });

  test("the development policy carries what the dev tools need, and only in development", async () => {
    const csp = (await fetch(`${web!.url}/sign-in`)).headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic' 'unsafe-eval'(;|$)/);
    expect(csp).toMatch(/style-src 'self' 'nonce-[^']+'(;|$)/);
    expect(csp).toContain("style-src-elem 'self' 'unsafe-inline'");
  });

  test(
    "Chromium: no CSP refusal in the console, and the dev indicator is styled",
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
        const refusals: string[] = [];
        page.on("console", (message) => {
          if (isCspRefusal(message.text())) refusals.push(message.text());
        });
        page.on("pageerror", (error) => {
          if (isCspRefusal(error.message)) refusals.push(error.message);
        });
        await page.goto(`${web!.url}/sign-in`, { waitUntil: "load", timeout: FIRST_COMPILE_MS });
        const indicator = page.locator("nextjs-portal").locator("button[data-nextjs-dev-tools-button]");
        await indicator.waitFor({ state: "visible", timeout: 60_000 });
        // Styled: the round 32 px button inside a fixed toast at the bottom left. Refused styles
        // leave a grey default button in the page flow (no fixed ancestor) at the top left.
        const probe = () =>
          indicator.evaluate((button) => {
            let fixed = false;
            for (let e: Element | null = button; e; e = e.parentElement) fixed ||= getComputedStyle(e).position === "fixed";
            const styles = Array.from((button.getRootNode() as ShadowRoot).querySelectorAll("style"));
            return {
              fixed,
              borderRadius: getComputedStyle(button).borderRadius,
              allSheetsApplied: styles.length > 0 && styles.every((s) => s.sheet !== null),
            };
          });
        const styled = { fixed: true, borderRadius: "9999px", allSheetsApplied: true };
        let seen = await probe();
        for (const until = Date.now() + 30_000; JSON.stringify(seen) !== JSON.stringify(styled) && Date.now() < until; seen = await probe()) {
          await page.waitForTimeout(250);
        }
        await page.screenshot({ path: path.join(shots, "sign-in.png") });
        expect(seen).toEqual(styled);
        expect(refusals).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    FIRST_COMPILE_MS,
  );
});
