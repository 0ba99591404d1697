// Better Auth signs its session cookies (session_token, dont_remember) with HMAC-SHA256 keyed by the
// raw CURRENT secret and checks them with that secret only: older versions in `secrets` are never
// tried for cookies. Left alone, a rotation would sign every browser out. For a cookie that an
// older configured version signed, this gives the same value signed by the current version: the
// proxy puts it in the request (Better Auth then accepts it) and sets it on the browser.
import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { getCookies } from "better-auth/cookies";
import type { Config } from "../config";

/** The cookie settings Better Auth gets (auth.ts spreads them in), so names and attributes match. */
export function cookieSettings(config: Config) {
  return {
    baseURL: config.baseUrl,
    advanced: { useSecureCookies: new URL(config.baseUrl).protocol === "https:" },
  };
}

type BetterAuthAttributes = ReturnType<typeof getCookies>["sessionToken"]["attributes"];

/** Better Auth's attributes in the shape Next's cookie API takes. */
export interface CookieAttributes {
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  path: string;
  domain?: string;
  maxAge?: number;
}

function attributesOf(from: BetterAuthAttributes, keepMaxAge: boolean): CookieAttributes {
  const sameSite = from.sameSite.toLowerCase();
  return {
    httpOnly: from.httpOnly,
    secure: from.secure,
    sameSite: sameSite === "strict" || sameSite === "none" ? sameSite : "lax",
    path: from.path,
    ...(from.domain ? { domain: from.domain } : {}),
    ...(keepMaxAge && from.maxAge !== undefined ? { maxAge: from.maxAge } : {}),
  };
}

export interface ResignedCookie {
  name: string;
  /** `<value>.<signature>`, not URL-encoded (Next encodes cookie values itself). */
  value: string;
  attributes: CookieAttributes;
}

// better-call's format: standard base64 of the HMAC, padded (44 characters).
const signature = (value: string, secret: string) => createHmac("sha256", secret).update(value).digest("base64");

function signedBy(value: string, given: string, secret: string): boolean {
  const expected = Buffer.from(signature(value, secret));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The request's Better Auth cookies that an older secret version signed, re-signed with the current one. */
export function resignedCookies(cookies: readonly { name: string; value: string }[], config: Config): ResignedCookie[] {
  const [current, ...older] = config.secrets;
  if (!current || older.length === 0) return [];
  const { sessionToken, dontRememberToken } = getCookies(cookieSettings(config));
  // A "don't remember me" session lives as long as the browser: keep its cookie a session cookie.
  const browserSession = cookies.some((cookie) => cookie.name === dontRememberToken.name);
  const specs = [
    { name: sessionToken.name, attributes: attributesOf(sessionToken.attributes, !browserSession) },
    { name: dontRememberToken.name, attributes: attributesOf(dontRememberToken.attributes, false) },
  ];
  const resigned: ResignedCookie[] = [];
  for (const spec of specs) {
    const signed = cookies.find((cookie) => cookie.name === spec.name)?.value ?? "";
    const dot = signed.lastIndexOf(".");
    if (dot < 1) continue;
    const value = signed.slice(0, dot);
    const given = signed.slice(dot + 1);
    if (signedBy(value, given, current.value)) continue;
    if (!older.some((version) => signedBy(value, given, version.value))) continue;
    resigned.push({ name: spec.name, value: `${value}.${signature(value, current.value)}`, attributes: spec.attributes });
  }
  return resigned;
}
