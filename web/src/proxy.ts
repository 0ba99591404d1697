// Next 16's proxy, on every request but static assets: the per-request Content-Security-Policy
// (and HSTS on https), and the cheap, optimistic dashboard check: no session cookie, no dashboard.
// It reads the cookie only; the page itself asks Better Auth whether the session is real.
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";
import { getConfig } from "./config";
import { contentSecurityPolicy, newNonce, strictTransportSecurity } from "./lib/securityHeaders";

const CSP = "content-security-policy";

function isSignedOutDashboard(request: NextRequest): boolean {
  const { pathname } = request.nextUrl;
  return (pathname === "/dashboard" || pathname.startsWith("/dashboard/")) && !getSessionCookie(request);
}

export function proxy(request: NextRequest): NextResponse {
  const config = getConfig();
  const csp = contentSecurityPolicy(newNonce(), config);
  let response: NextResponse;
  if (isSignedOutDashboard(request)) {
    response = NextResponse.redirect(new URL("/sign-in", request.url));
  } else {
    // The renderer takes the nonce from the request's header; a client's own value is replaced.
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set(CSP, csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  }
  response.headers.set(CSP, csp);
  const hsts = strictTransportSecurity(config);
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

// Static assets carry no markup to protect; next.config.ts gives them (and everything) nosniff.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"] };
