// The cheap, optimistic check (Next 16 proxy): no session cookie, no dashboard. It reads the cookie
// only; the page itself asks Better Auth whether the session is real.
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";

export function proxy(request: NextRequest): NextResponse {
  if (getSessionCookie(request)) return NextResponse.next();
  return NextResponse.redirect(new URL("/sign-in", request.url));
}

export const config = { matcher: ["/dashboard/:path*"] };
