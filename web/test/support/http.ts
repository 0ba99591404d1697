// Better Auth's real HTTP endpoints, called the way a browser would (Origin header, cookies).
import { randomUUID } from "node:crypto";

export interface AuthResult {
  status: number;
  /** `name=value` of the session cookie, when one was set. */
  cookie: string | null;
  body: { user?: { id: string; email: string }; code?: string; message?: string } | null;
}

export const newEmail = (label: string) => `${label}-${randomUUID()}@example.test`;
export const PASSWORD = "correct horse battery staple";

export async function post(webUrl: string, path: string, body: object, clientIp?: string, cookie?: string): Promise<AuthResult> {
  const response = await fetch(`${webUrl}/api/auth${path}`, {
    method: "POST",
    headers: {
      ...(cookie ? { cookie } : {}),
      "content-type": "application/json",
      origin: webUrl,
      // Stands in for the reverse proxy that tells the app who the client is (rate limiting).
      ...(clientIp ? { "x-forwarded-for": clientIp } : {}),
    },
    body: JSON.stringify(body),
  });
  const session = response.headers.getSetCookie().find((c) => /(^|\.)session_token=/.test(c.split(";")[0] ?? ""));
  return {
    status: response.status,
    cookie: session ? (session.split(";")[0] ?? null) : null,
    body: (await response.json().catch(() => null)) as AuthResult["body"],
  };
}

export function signUp(webUrl: string, user: { name: string; email: string; password: string }, clientIp?: string) {
  return post(webUrl, "/sign-up/email", user, clientIp);
}

export function signIn(webUrl: string, user: { email: string; password: string }, clientIp?: string) {
  return post(webUrl, "/sign-in/email", user, clientIp);
}

export async function fetchToken(webUrl: string, cookie: string, clientIp?: string): Promise<string> {
  const headers = { cookie, ...(clientIp ? { "x-forwarded-for": clientIp } : {}) };
  const response = await fetch(`${webUrl}/api/auth/token`, { headers });
  if (!response.ok) throw new Error(`GET /api/auth/token answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return token;
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[index] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}
