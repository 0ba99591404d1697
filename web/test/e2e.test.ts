// The whole bridge in a real browser (Debian's Chromium driven by playwright-core): sign up, the
// dashboard verified by the API, tasks (added, completed, renamed, deleted), sign out, a second person who sees none of the first
// one's tasks, every form error, and the dashboard closed after sign-out. Screenshots of each step
// go to web/test-results/e2e/.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { CHROMIUM, haveChromium, launchChromium } from "@authbridge/testing/browser";
import { PASSWORD, newEmail } from "@authbridge/testing/auth";
import { contractKey } from "@authbridge/testing/tokens";
import { type Stack, startStack } from "@authbridge/testing/stack";
import { PAGE_SIZE_DEFAULT as PAGE_SIZE } from "@authbridge/api-types";

const shots = path.join(__dirname, "..", "test-results", "e2e");
if (!haveChromium) console.warn(`browser end-to-end skipped: ${CHROMIUM} not found (apt-get install chromium)`);
const describeE2e = haveChromium ? describe : describe.skip;

describeE2e("browser: sign up, dashboard verified by the API, tasks, sign out", () => {
  let stack: Stack;
  let browser: Browser;
  let step = 0;
  /** Every body the web origin sent to the browser, to prove no secret reached it. */
  const webBodies: string[] = [];
  /** Chromium's console reports of anything the Content-Security-Policy refused. */
  const cspErrors: string[] = [];
  // Chromium says "Content Security Policy", React "Content-Security-Policy".
  const isCspError = (text: string) => /Content.Security.Policy/i.test(text);

  beforeAll(async () => {
    rmSync(shots, { recursive: true, force: true });
    mkdirSync(shots, { recursive: true });
    stack = await startStack();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** One person = one browser profile from one address (the rate limit counts per client). */
  async function person(clientIp: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    await context.route(`${stack.web.url}/api/auth/**`, (route) =>
      route.continue({ headers: { ...route.request().headers(), "x-forwarded-for": clientIp } }),
    );
    const page = await context.newPage();
    page.on("console", (message) => {
      if (isCspError(message.text())) cspErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on("response", async (response) => {
      if (!response.url().startsWith(stack.web.url)) return;
      const body = await response.text().catch(() => "");
      webBodies.push(body);
    });
    return { context, page };
  }

  async function shot(page: Page, name: string) {
    step += 1;
    await page.screenshot({ path: path.join(shots, `${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
  }

  async function fill(page: Page, fields: { name?: string; email: string; password: string }) {
    if (fields.name !== undefined) await page.getByLabel("Name").fill(fields.name);
    await page.getByLabel("Email").fill(fields.email);
    await page.getByLabel("Password").fill(fields.password);
  }

  async function signUpThroughForm(page: Page, name: string, email: string) {
    await page.goto(`${stack.web.url}/`);
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL("**/sign-up");
    await fill(page, { name, email, password: PASSWORD });
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL("**/dashboard");
  }

  async function verifiedId(page: Page): Promise<string> {
    const verified = page.getByTestId("verified");
    await verified.waitFor();
    return (await verified.locator("code").textContent()) ?? "";
  }

  async function signOut(page: Page) {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${stack.web.url}/`);
    await page.getByRole("link", { name: "Create an account" }).waitFor();
  }

  const alice = { name: "Alice Example", email: newEmail("alice") };
  const bob = { name: "Bob Example", email: newEmail("bob") };
  let aliceId = "";

  test("the first person signs up, is verified by the API, adds a task and signs out", async () => {
    const { context, page } = await person("10.9.0.1");
    await page.goto(`${stack.web.url}/`);
    await page.getByRole("heading", { name: "authbridge" }).waitFor();
    await shot(page, "landing");

    await signUpThroughForm(page, alice.name, alice.email);
    aliceId = await verifiedId(page);
    expect(aliceId).toMatch(/^\w{16,}$/);
    await expect(page.getByTestId("verified").textContent()).resolves.toContain(`Verified by the API as ${aliceId}`);
    await page.getByTestId("no-tasks").waitFor();
    await expect(page.getByTestId("api-health").textContent()).resolves.toBe("pass");
    await shot(page, "alice-dashboard");

    await page.getByLabel("New task").fill("Water the plants");
    await page.getByRole("button", { name: "Add task" }).click();
    await page.getByTestId("tasks").getByText("Water the plants").waitFor();
    await expect(page.getByLabel("New task").inputValue()).resolves.toBe("");
    await shot(page, "alice-task-added");

    await page.reload();
    await page.getByTestId("tasks").getByText("Water the plants").waitFor();

    await signOut(page);
    await shot(page, "alice-signed-out");
    await context.close();
  });

  test("a second person sees none of the first person's tasks", async () => {
    const { context, page } = await person("10.9.0.2");
    await signUpThroughForm(page, bob.name, bob.email);
    const bobId = await verifiedId(page);
    expect(bobId).not.toBe(aliceId);
    await page.getByTestId("no-tasks").waitFor();
    expect(await page.getByText("Water the plants").count()).toBe(0);
    await shot(page, "bob-dashboard-empty");
    await signOut(page);

    // Back as the first person: the task is still theirs.
    await page.goto(`${stack.web.url}/sign-in`);
    await fill(page, { email: alice.email, password: PASSWORD });
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    expect(await verifiedId(page)).toBe(aliceId);
    await page.getByTestId("tasks").getByText("Water the plants").waitFor();
    await shot(page, "alice-signed-in-again");
    await signOut(page);

    // Signed out, the dashboard is closed.
    await page.goto(`${stack.web.url}/dashboard`);
    await page.waitForURL("**/sign-in");
    await shot(page, "dashboard-closed");
    await context.close();
  });

  test("a long list comes in pages: Load more appends the next one until there is none", async () => {
    const { context, page } = await person("10.9.0.5");
    await signUpThroughForm(page, "Carol Example", newEmail("carol"));
    const carolId = await verifiedId(page);
    await page.getByTestId("no-tasks").waitFor();

    // More tasks than one page, written through the api with Carol's own token from the web.
    const token = await page.evaluate(async () => ((await (await fetch("/api/auth/token")).json()) as { token: string }).token);
    const titles = Array.from({ length: PAGE_SIZE + 7 }, (_, i) => `paged task ${String(i + 1).padStart(2, "0")}`);
    for (const title of titles) {
      const res = await fetch(`${stack.api.url}/api/${encodeURIComponent(carolId)}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title }),
      });
      expect(res.status).toBe(201);
    }

    // The api's own order (newest first; tasks created within one millisecond are ordered by id).
    const all = await fetch(`${stack.api.url}/api/${encodeURIComponent(carolId)}/tasks?limit=200`, { headers: { authorization: `Bearer ${token}` } });
    const expected = ((await all.json()) as { tasks: { title: string }[] }).tasks.map((t) => t.title);
    expect([...expected].sort()).toEqual(titles);

    await page.reload();
    const items = page.getByTestId("tasks").locator("li");
    await items.nth(PAGE_SIZE - 1).waitFor();
    expect(await items.allTextContents()).toEqual(expected.slice(0, PAGE_SIZE));
    await shot(page, "carol-first-page");
    await page.getByRole("button", { name: "Load more" }).click();
    await items.nth(titles.length - 1).waitFor();
    expect(await items.allTextContents()).toEqual(expected);
    await page.getByRole("button", { name: "Load more" }).waitFor({ state: "detached" });
    await shot(page, "carol-all-pages");
    await context.close();
  });

  test("forms explain each error, keep their input and disable the button while submitting", async () => {
    const { context, page } = await person("10.9.0.3");
    const alert = page.getByRole("alert");

    await page.goto(`${stack.web.url}/sign-up`);
    await fill(page, { name: "Someone Else", email: alice.email, password: PASSWORD });
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(alert.filter({ hasText: "already exists" }).textContent()).resolves.toContain("An account with this email already exists");
    await expect(page.getByLabel("Email").inputValue()).resolves.toBe(alice.email);
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Someone Else");
    await shot(page, "error-email-used");

    await fill(page, { name: "Someone Else", email: newEmail("short"), password: "short" });
    await page.getByRole("button", { name: "Sign up" }).click();
    await expect(alert.filter({ hasText: "too short" }).textContent()).resolves.toContain("at least 8 characters");
    await shot(page, "error-password-too-short");

    await page.goto(`${stack.web.url}/sign-in`);
    await fill(page, { email: alice.email, password: "not the password" });
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(alert.filter({ hasText: "Wrong" }).textContent()).resolves.toBe("Wrong email or password.");
    await expect(page.getByLabel("Password").inputValue()).resolves.toBe("not the password");
    await shot(page, "error-wrong-credentials");

    // The server goes away mid-request: the request hangs a moment (button disabled), then fails.
    let releaseRequest: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (releaseRequest = resolve));
    await page.route("**/api/auth/sign-in/email", async (route) => {
      await held;
      await route.abort("connectionrefused");
    });
    await page.getByRole("button", { name: "Sign in" }).click();
    const busy = page.getByRole("button", { name: "Signing in…" });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    await shot(page, "submitting");
    releaseRequest();
    await expect(alert.filter({ hasText: "reach" }).textContent()).resolves.toContain("Cannot reach the server");
    expect(await page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
    await shot(page, "error-server-unreachable");
    await context.close();
  });

  test("tasks from the keyboard: complete, un-complete, rename, delete; each seen after a reload; the API's refusal shown", async () => {
    const { context, page } = await person("10.9.0.6");
    await signUpThroughForm(page, "Dana Example", newEmail("dana"));
    const danaId = await verifiedId(page);
    await page.getByTestId("no-tasks").waitFor();
    const items = page.getByTestId("tasks").locator("li");
    for (const title of ["Pay rent", "Call mum", "Buy milk"]) {
      await page.getByLabel("New task").fill(title);
      await page.getByLabel("New task").press("Enter");
      await page.getByRole("button", { name: `Rename: ${title}` }).waitFor();
    }
    const checkbox = (title: string, checked: boolean) => page.getByRole("checkbox", { name: `Done: ${title}`, checked });
    const press = async (locator: ReturnType<Page["locator"]>, key: string) => {
      await locator.focus();
      await page.keyboard.press(key);
    };

    // Complete: Space on the checkbox. Done tasks look done.
    await press(checkbox("Buy milk", false), "Space");
    await checkbox("Buy milk", true).waitFor();
    const milk = page.getByRole("button", { name: "Rename: Buy milk" });
    expect(await milk.evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe("line-through");
    expect(await page.getByRole("button", { name: "Rename: Pay rent" }).evaluate((el) => getComputedStyle(el).textDecorationLine)).toBe("none");

    // Rename in place: Enter on the title opens the field, Enter saves; Escape cancels.
    await press(page.getByRole("button", { name: "Rename: Call mum" }), "Enter");
    const field = page.getByRole("textbox", { name: "New title for: Call mum" });
    await field.fill("Call grandma");
    await field.press("Enter");
    await page.getByRole("button", { name: "Rename: Call grandma" }).waitFor();
    await press(page.getByRole("button", { name: "Rename: Pay rent" }), "Enter");
    await page.getByRole("textbox", { name: "New title for: Pay rent" }).fill("never saved");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Rename: Pay rent" }).waitFor();

    // Delete: Enter on Delete asks in the row, Enter on the focused confirmation deletes.
    await press(page.getByRole("button", { name: "Delete: Pay rent" }), "Enter");
    await page.getByRole("group", { name: "Delete Pay rent?" }).waitFor();
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Rename: Pay rent" }).waitFor({ state: "detached" });
    await shot(page, "dana-tasks-changed");

    // All of it was the API's doing: a reload shows the same.
    await page.reload();
    await checkbox("Buy milk", true).waitFor();
    expect(await items.allTextContents()).toEqual(["Buy milk", "Call grandma"]);
    await press(checkbox("Buy milk", true), "Space");
    await checkbox("Buy milk", false).waitFor();
    await page.reload();
    await checkbox("Buy milk", false).waitFor();
    expect(await checkbox("Call grandma", false).isVisible()).toBe(true);

    // The task deleted elsewhere (with Dana's own token): the API refuses the change, the page says
    // so and drops the task.
    const token = await page.evaluate(async () => ((await (await fetch("/api/auth/token")).json()) as { token: string }).token);
    const page1 = await fetch(`${stack.api.url}/api/${encodeURIComponent(danaId)}/tasks`, { headers: { authorization: `Bearer ${token}` } });
    const grandma = ((await page1.json()) as { tasks: { id: string; title: string }[] }).tasks.find((t) => t.title === "Call grandma");
    const gone = await fetch(`${stack.api.url}/api/${encodeURIComponent(danaId)}/tasks/${grandma?.id ?? ""}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(gone.status).toBe(204);
    await press(checkbox("Call grandma", false), "Space");
    await page.getByRole("alert").getByText("The API refused: no such task").waitFor();
    await checkbox("Call grandma", false).waitFor({ state: "detached" });
    expect(await items.allTextContents()).toEqual(["Buy milk"]);
    await shot(page, "dana-refused");
    await context.close();
  });

  test("an API 401 gets one fresh token; a second one sends the person to /sign-in", async () => {
    const { context, page } = await person("10.9.0.4");
    let tokenRequests = 0;
    page.on("request", (request) => {
      if (request.url() === `${stack.web.url}/api/auth/token`) tokenRequests += 1;
    });
    // The API refuses the first /api/me (as if the token had expired), then behaves.
    let refusedOnce = false;
    await context.route(`${stack.api.url}/api/me`, async (route) => {
      if (refusedOnce || route.request().method() === "OPTIONS") return route.continue();
      refusedOnce = true;
      await route.fulfill({ status: 401, json: { error: { code: "token_expired", message: "expired" } } });
    });
    await page.goto(`${stack.web.url}/sign-in`);
    await fill(page, { email: alice.email, password: PASSWORD });
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/dashboard");
    expect(await verifiedId(page)).toBe(aliceId);
    expect(refusedOnce).toBe(true);
    expect(tokenRequests).toBe(2);

    // Now the API refuses everything: after one retry the person is sent to sign in.
    await context.route(`${stack.api.url}/api/**`, (route) =>
      route.request().method() === "OPTIONS"
        ? route.continue()
        : route.fulfill({ status: 401, json: { error: { code: "unauthorized", message: "no" } } }),
    );
    await page.reload();
    await page.waitForURL("**/sign-in");
    await context.close();
  });

  test("the CSP refused nothing the app did, and does refuse what it does not allow", async () => {
    expect(cspErrors).toEqual([]);
    // The same listener sees a refusal: an image from another origin (img-src is 'self' data:).
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on("console", (message) => {
      if (isCspError(message.text())) refused.push(message.text());
    });
    await page.goto(`${stack.web.url}/sign-in`);
    await page.evaluate((src) => {
      const img = document.createElement("img");
      img.src = src;
      document.body.append(img);
    }, `${stack.api.url}/livez`);
    for (let waited = 0; refused.length === 0 && waited < 5000; waited += 100) await page.waitForTimeout(100);
    expect(refused.join("\n")).toContain("img-src");
    await page.close();
  });

  test("no response from the web origin carried the secret, the token key or the database password", () => {
    expect(webBodies.length).toBeGreaterThan(20);
    const all = webBodies.join("\n");
    expect(all).toContain("authbridge"); // the bodies were really read
    expect(all).not.toContain(stack.secret);
    expect(all).not.toContain(contractKey(stack.secret).toString("hex"));
    expect(all).not.toContain(contractKey(stack.secret).toString("base64url"));
    expect(all).not.toContain(new URL(stack.databaseUrl).password);
  });
});
