import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";

/** The real check: Better Auth looks the session cookie up in the database. */
export async function currentSession() {
  // headers() first: it marks the page as per-request, so `next build` never renders it (nor
  // builds Better Auth without a secret).
  const requestHeaders = await headers();
  return getAuth().api.getSession({ headers: requestHeaders });
}
