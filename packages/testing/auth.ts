// Better Auth's real HTTP endpoints on a running web, called the way a browser behind a reverse
// proxy calls them: the Origin header, cookies kept in a jar, and the client's address in
// X-Forwarded-For (the stack trusts loopback as its proxy; the web rate-limits by that address).
import { randomBytes, randomUUID } from "node:crypto";
import { announceSecret } from "./secrets";

export const PASSWORD = "correct horse battery staple";
export const newEmail = (label: string) => `${label}-${randomUUID()}@example.test`;

let addresses = 0;
/**
 * A client address no other call has used (Better Auth allows 3 sign-ins per 10 s per address).
 * From 100.64.0.0/10, so it never meets the 10.x addresses tests choose on purpose.
 */
export function freshIp(): string {
  addresses++;
  return `100.${64 + (process.pid % 64)}.${(addresses >> 8) & 255}.${addresses & 255}`;
}

const isSessionCookie = (name: string) => /(^|\.)session_token$/.test(name);

/** A browser's cookies: what Set-Cookie stores (Max-Age=0 or an empty value clears), what Cookie sends. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** `pair`: a `name=value` to start with, such as a session cookie from a sign-in. */
  constructor(pair?: string) {
    if (pair) this.store([pair]);
  }

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
      if (eq < 1) continue;
      if (value === "" || /;\s*max-age=0(;|$)/i.test(line)) {
        this.cookies.delete(name);
        continue;
      }
      this.cookies.set(name, value);
      if (isSessionCookie(name)) announceSessionCookie(value);
    }
  }

  /** The Cookie header, or "" when the jar is empty. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** `name=value` of the session cookie, or null when there is none. */
  sessionCookie(): string | null {
    const entry = [...this.cookies].find(([name]) => isSessionCookie(name));
    return entry ? `${entry[0]}=${entry[1]}` : null;
  }
}

function announceSessionCookie(value: string): void {
  const decoded = decodeURIComponent(value);
  announceSecret("session-cookie", value);
  announceSecret("session-cookie", decoded);
  // Better Auth's cookie is `<session token>.<signature>`: the bare session token is a secret too.
  const sessionToken = decoded.split(".")[0] ?? "";
  if (sessionToken.length >= 8) announceSecret("session-cookie", sessionToken);
}

/** The session cookie a response set, as `name=value`; null when it set none or cleared it. */
export function sessionCookieOf(setCookies: readonly string[]): string | null {
  const jar = new CookieJar();
  jar.store(setCookies);
  return jar.sessionCookie();
}

export interface AuthCall {
  /** The client's address, sent as X-Forwarded-For; authPost and the GETs make up a fresh one when not given. */
  clientIp?: string;
  /** `name=value` cookies to send. */
  cookie?: string;
  /** The page's origin; the web's own URL when not given. */
  origin?: string;
}

/** The headers a browser's auth request carries. */
export function authHeaders(webUrl: string, call: AuthCall = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    origin: call.origin ?? new URL(webUrl).origin,
    ...(call.clientIp ? { "x-forwarded-for": call.clientIp } : {}),
    ...(call.cookie ? { cookie: call.cookie } : {}),
  };
}

export interface AuthAnswer {
  status: number;
  /** `name=value` of the session cookie the answer set; null when none (or cleared, on sign-out). */
  cookie: string | null;
  body: { user?: { id: string; email: string }; token?: string; code?: string; message?: string } | null;
}

export async function authPost(webUrl: string, route: string, body: object, call: AuthCall = {}): Promise<AuthAnswer> {
  const response = await fetch(`${webUrl}/api/auth${route}`, {
    method: "POST",
    headers: authHeaders(webUrl, { clientIp: freshIp(), ...call }),
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    cookie: sessionCookieOf(response.headers.getSetCookie()),
    body: (await response.json().catch(() => null)) as AuthAnswer["body"],
  };
}

export function signUp(webUrl: string, user: { name: string; email: string; password: string }, call?: AuthCall): Promise<AuthAnswer> {
  return authPost(webUrl, "/sign-up/email", user, call);
}

export function signIn(webUrl: string, user: { email: string; password: string }, call?: AuthCall): Promise<AuthAnswer> {
  return authPost(webUrl, "/sign-in/email", user, call);
}

/** A signed-in user of the web. */
export interface User {
  id: string;
  /** The Better Auth session's row id (what tokens carry as `sid`); not its bearer token. */
  sessionId: string;
  email: string;
  password: string;
  /** `name=value` of the session cookie. */
  cookie: string;
}

/** Signs a new user up through the web; throws unless it succeeds. */
export async function newUser(webUrl: string, label: string, call?: AuthCall): Promise<User> {
  const email = newEmail(label);
  // Characters that URL- or JSON-encoding would change, so a log audit also looks for encoded forms.
  const password = `pw ${randomBytes(12).toString("base64url")} &+%"`;
  announceSecret("password", password);
  const answer = await signUp(webUrl, { name: label, email, password }, call);
  if (answer.status !== 200 || !answer.cookie || !answer.body?.user?.id) {
    throw new Error(`sign-up answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return { id: answer.body.user.id, sessionId: await sessionIdOf(webUrl, answer.cookie, call), email, password, cookie: answer.cookie };
}

async function authGet(webUrl: string, route: string, call: AuthCall & { cookie: string }): Promise<Response> {
  const headers = { cookie: call.cookie, "x-forwarded-for": call.clientIp ?? freshIp() };
  return fetch(`${webUrl}/api/auth${route}`, { headers, signal: AbortSignal.timeout(15_000) });
}

/** The id of the session behind a cookie, from Better Auth's get-session. */
export async function sessionIdOf(webUrl: string, cookie: string, call: AuthCall = {}): Promise<string> {
  const response = await authGet(webUrl, "/get-session", { ...call, cookie });
  const body = (await response.json().catch(() => null)) as { session?: { id?: unknown } } | null;
  const id = body?.session?.id;
  if (!response.ok || typeof id !== "string") throw new Error(`get-session answered ${response.status} without a session id`);
  return id;
}

/** An access token from the web's own endpoint (GET /api/auth/token, session cookie required). */
export async function fetchToken(webUrl: string, cookie: string, call: AuthCall = {}): Promise<string> {
  const response = await authGet(webUrl, "/token", { ...call, cookie });
  if (!response.ok) throw new Error(`GET /api/auth/token answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  announceSecret("token", token);
  return token;
}

/** A token's header (0) or claims (1), decoded without any check. */
export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[index] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}
