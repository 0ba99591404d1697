import "server-only";
import { headers } from "next/headers";
import { getAuth } from "./auth";

/** The real check: Better Auth looks the session cookie up in the database. */
export async function currentSession() {
  return getAuth().api.getSession({ headers: await headers() });
}
