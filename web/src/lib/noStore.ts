// Every answer of Better Auth's routes belongs to one browser: a session, a user, an access token
// (GET /api/auth/token), a session cookie being set. None may be kept by a shared cache or the
// browser's disk cache. Better Auth marks only get-session itself.
export const NO_STORE = "no-store";

export function uncacheable(response: Response): Response {
  // A copy: a Response's own headers may be immutable (Response.redirect, fetch's).
  const headers = new Headers(response.headers);
  headers.set("cache-control", NO_STORE);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
