// GET /docs in a real Chromium: Swagger UI renders the api's own document, every request the page
// makes stays on the api's origin, and its Content-Security-Policy refuses nothing it needs.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium } from "@authbridge/testing/browser";
import request from "supertest";
import { createApp } from "../src/app";
import { type Runtime, createRuntime } from "../src/runtime";
import { captureLogger, testConfig } from "./helpers";

if (!haveChromium) console.warn(`/docs browser check skipped: ${CHROMIUM} not found (apt-get install chromium)`);

let runtime: Runtime;
let server: Server;
let origin: string;

beforeAll(async () => {
  runtime = createRuntime(testConfig(), captureLogger().logger);
  server = createApp(runtime.deps).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await runtime?.close();
});

test("the page, its script and style come from the api itself, under a CSP of its own", async () => {
  const page = await request(origin).get("/docs");
  expect(page.status).toBe(200);
  expect(page.headers["content-type"]).toMatch(/^text\/html/);
  expect(page.headers["content-security-policy"]).toBe(
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  expect(page.text).not.toMatch(/https?:\/\//);
  for (const asset of ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"]) {
    expect((await request(origin).get(asset)).status).toBe(200);
  }
  // Nothing else of the package (or beyond it) is reachable through /docs.
  for (const other of ["/docs/package.json", "/docs/index.html", "/docs/..%2Fpackage.json"]) {
    expect((await request(origin).get(other)).status).toBe(404);
  }
});

(haveChromium ? test : test.skip)(
  "renders the document in Chromium with no CSP refusal and no request to another origin",
  async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const refused: string[] = [];
      const elsewhere: string[] = [];
      page.on("console", (message) => {
        if (message.text().includes("Content Security Policy")) refused.push(message.text());
      });
      page.on("request", (req) => {
        if (!req.url().startsWith(origin) && !req.url().startsWith("data:")) elsewhere.push(req.url());
      });
      await page.goto(`${origin}/docs`);
      await page.getByText("authbridge api", { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.getByText("/api/{userId}/tasks").first().waitFor({ timeout: 30_000 });
      expect(refused).toEqual([]);
      expect(elsewhere).toEqual([]);
    } finally {
      await browser?.close();
    }
  },
  90_000,
);
