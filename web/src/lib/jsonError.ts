// The web's own JSON errors have the api's shape, so a client reads both the same way.
// (Better Auth's endpoints under /api/auth answer in Better Auth's own shape, which its client reads.)
import { NO_STORE } from "./noStore";

export function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "cache-control": NO_STORE } });
}
