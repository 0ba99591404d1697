// The request Better Auth sees: X-Forwarded-For reduced to the one client address that
// rate limits and session records use (see clientAddress.ts for how it is chosen).
import "server-only";
import type { BlockList } from "node:net";
import { getConfig } from "../config";
import { clientAddress, trustedProxySet } from "./clientAddress";
import { FORWARDED_FOR } from "./socketPeer";

let trusted: BlockList | undefined;

export function withClientAddress(request: Request): Request {
  trusted ??= trustedProxySet(getConfig().trustedProxies);
  const headers = new Headers(request.headers);
  const client = clientAddress(headers.get(FORWARDED_FOR) ?? "", trusted);
  if (client) headers.set(FORWARDED_FOR, client);
  else headers.delete(FORWARDED_FOR);
  return new Request(request, { headers });
}
