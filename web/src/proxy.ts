// Next 16's proxy, on every request but static assets: the per-request Content-Security-Policy
// (and HSTS on https), and the cheap, optimistic dashboard check: no session cookie, no dashboard.
// It reads the cookie only; the page itself asks Better Auth whether the session is real.
// During a secret rotation it also re-signs session cookies an older secret version signed.
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";
import { getConfig } from "./config";
import { HEALTH_PATH, JWKS_PATH, getIdleness } from "./lib/idleness";
import { contentSecurityPolicy, newNonce, strictTransportSecurity } from "./lib/securityHeaders";
import { resignedCookies } from "./lib/sessionCookies";

const CSP = "content-security-policy";

function isSignedOutDashboard(request: NextRequest): boolean {
  const { pathname } = request.nextUrl;
  return (pathname === "/dashboard" || pathname.startsWith("/dashboard/")) && !getSessionCookie(request);
}

export function proxy(request: NextRequest): NextResponse {
  const config = getConfig();
  if (request.nextUrl.pathname !== HEALTH_PATH && request.nextUrl.pathname !== JWKS_PATH) getIdleness().touch();
  const csp = contentSecurityPolicy(newNonce(), config);
  let response: NextResponse;
  if (isSignedOutDashboard(request)) {
    response = NextResponse.redirect(new URL("/sign-in", request.url));
  } else {
    // Better Auth below sees the re-signed cookie; the browser keeps it from now on.
    const resigned = resignedCookies(request.cookies.getAll(), config);
    for (const cookie of resigned) request.cookies.set(cookie.name, cookie.value);
    // The renderer takes the nonce from the request's header; a client's own value is replaced.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set(CSP, csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
    for (const cookie of resigned) response.cookies.set(cookie.name, cookie.value, cookie.attributes);
  }
  response.headers.set(CSP, csp);
  const hsts = strictTransportSecurity(config);
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

// Static assets carry no markup to protect; next.config.ts gives them (and everything) nosniff.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
