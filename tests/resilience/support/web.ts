// Better Auth's real endpoints on the built web, called as a browser behind a proxy would call
// them: Origin header, cookies, and the client's address in x-forwarded-for, which the web
// (TRUSTED_PROXIES=127.0.0.1 in this suite) rate-limits by.
import { randomBytes, randomUUID } from "node:crypto";
import { rememberSecret } from "./record";

export interface User {
  id: string;
  /** The Better Auth session's row id (what tokens carry as `sid`); not its bearer token. */
  sessionId: string;
  email: string;
  password: string;
  /** `name=value` of the session cookie. */
  cookie: string;
}

export interface AuthAnswer {
  status: number;
  cookie: string | null;
  body: { user?: { id: string }; token?: string; code?: string; message?: string } | null;
}

let ipCounter = 0;
/** A client address of its own (Better Auth allows 3 sign-ins/sign-ups per 10 s per address). */
export function freshIp(): string {
  ipCounter++;
  return `10.${(process.pid >> 8) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export async function authPost(webUrl: string, path: string, body: object, clientIp: string, cookie?: string): Promise<AuthAnswer> {
  const response = await fetch(`${webUrl}/api/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: webUrl, "x-forwarded-for": clientIp, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const session = response.headers.getSetCookie().find((c) => /(^|\.)session_token=/.test(c.split(";")[0] ?? ""));
  const pair = session?.split(";")[0] ?? "";
  // Sign-out answers with the cookie emptied: that clears it, there is no new session.
  const cookiePair = pair.endsWith("=") || pair === "" ? null : pair;
  if (cookiePair) rememberCookie(cookiePair);
  return { status: response.status, cookie: cookiePair, body: (await response.json().catch(() => null)) as AuthAnswer["body"] };
}

function rememberCookie(pair: string): void {
  const value = pair.slice(pair.indexOf("=") + 1);
  rememberSecret("session-cookie", value);
  rememberSecret("session-cookie", decodeURIComponent(value));
  // Better Auth's cookie is `<session token>.<signature>`: the bare session token is a secret too.
  const sessionToken = decodeURIComponent(value).split(".")[0] ?? "";
  if (sessionToken.length >= 8) rememberSecret("session-cookie", sessionToken);
}

/** Signs a new user up through the web and returns its session. */
export async function signUp(webUrl: string, label: string): Promise<User> {
  const email = `${label}-${randomUUID()}@example.test`;
  // Characters that URL- or JSON-encoding would change, so the audit also looks for encoded forms.
  const password = `pw ${randomBytes(12).toString("base64url")} &+%"`;
  rememberSecret("password", password);
  const answer = await authPost(webUrl, "/sign-up/email", { name: label, email, password }, freshIp());
  if (answer.status !== 200 || !answer.cookie || !answer.body?.user?.id) {
    throw new Error(`sign-up answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return { id: answer.body.user.id, sessionId: await sessionIdOf(webUrl, answer.cookie), email, password, cookie: answer.cookie };
}

/** The id of the session behind a cookie, from Better Auth's get-session. */
export async function sessionIdOf(webUrl: string, cookie: string): Promise<string> {
  const response = await fetch(`${webUrl}/api/auth/get-session`, {
    headers: { cookie, "x-forwarded-for": freshIp() },
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json().catch(() => null)) as { session?: { id?: unknown } } | null;
  const id = body?.session?.id;
  if (!response.ok || typeof id !== "string") throw new Error(`get-session answered ${response.status} without a session id`);
  return id;
}

/** An access token from the web's own endpoint (GET /api/auth/token, session cookie required). */
export async function fetchToken(webUrl: string, user: User): Promise<string> {
  const response = await fetch(`${webUrl}/api/auth/token`, {
    headers: { cookie: user.cookie, "x-forwarded-for": freshIp() },
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`GET /api/auth/token answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  rememberSecret("token", token);
  return token;
}
