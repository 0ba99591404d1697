// Which address a request's sign-in attempts count against: the one the nearest untrusted hop
// reports. X-Forwarded-For ends with this server's socket peer (src/lib/socketPeer.ts); walking it
// from the right, every entry a trusted proxy added is passed over, and the first address no
// trusted proxy vouches for is the client. Entries left of it are whatever the client wrote.
// No "server-only" marker: config.ts (compiled outside Next for the environment check) imports it.
import { BlockList, isIP } from "node:net";

const family = (address: string) => (isIP(address) === 6 ? "ipv6" : "ipv4");

/** An IP address or CIDR range (`10.0.0.0/8`, `fd00::/8`), or null. */
function parseRange(entry: string): { address: string; prefix?: number } | null {
  const [address = "", prefix, ...rest] = entry.split("/");
  const bits = isIP(address) === 4 ? 32 : isIP(address) === 6 ? 128 : 0;
  if (bits === 0 || rest.length > 0) return null;
  if (prefix === undefined) return { address };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) return null;
  return { address, prefix: Number(prefix) };
}

/** TRUSTED_PROXIES' entries that are neither an IP address nor a CIDR range. */
export function invalidProxyEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => parseRange(entry) === null);
}

export function trustedProxySet(entries: readonly string[]): BlockList {
  const set = new BlockList();
  for (const entry of entries) {
    const range = parseRange(entry);
    if (!range) throw new Error("a trusted proxy entry is neither an IP address nor a CIDR range");
    if (range.prefix === undefined) set.addAddress(range.address, family(range.address));
    else set.addSubnet(range.address, range.prefix, family(range.address));
  }
  return set;
}

/**
 * The rightmost address of the chain that is not a trusted proxy. When a trusted proxy passed on
 * something that is not an address, the key is that proxy's own address; undefined only when the
 * last entry (the socket peer) is not an address.
 */
export function clientAddress(forwardedFor: string, trusted: BlockList): string | undefined {
  const hops = forwardedFor.split(",").map((hop) => hop.trim());
  let client: string | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? "";
    if (isIP(hop) === 0) break;
    client = hop;
    if (!trusted.check(hop, family(hop))) break;
  }
  return client;
}
