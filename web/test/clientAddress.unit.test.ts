// Which address the sign-in rate limit counts against: the socket peer appended by the process
// entry, then X-Forwarded-For walked from the right past the trusted proxies. The built server
// and real proxies: tests/replicas/client-address.test.ts.
import { clientAddress, invalidProxyEntries, trustedProxySet } from "../src/lib/clientAddress";
import { appendPeer } from "../src/lib/socketPeer";

const none = trustedProxySet([]);
const proxies = trustedProxySet(["127.0.0.3", "10.8.0.0/16", "fd00::/8"]);

describe("appendPeer: this server is the last hop", () => {
  test.each([
    [undefined, "127.0.0.1", "127.0.0.1"],
    ["", "127.0.0.1", "127.0.0.1"],
    ["203.0.113.9", "127.0.0.1", "203.0.113.9, 127.0.0.1"],
    [["203.0.113.9", "198.51.100.1"], "::1", "203.0.113.9, 198.51.100.1, ::1"],
  ])("%j from %s -> %s", (received, peer, chain) => {
    expect(appendPeer(received, peer)).toBe(chain);
  });

  test("an unknown peer leaves no header at all, so nothing the client wrote survives", () => {
    expect(appendPeer("203.0.113.9", undefined)).toBeUndefined();
  });
});

describe("clientAddress", () => {
  test("no trusted proxy: the socket peer, whatever the client wrote", () => {
    expect(clientAddress("127.0.0.1", none)).toBe("127.0.0.1");
    expect(clientAddress("203.0.113.9, 127.0.0.1", none)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.3, 127.0.0.1", proxies)).toBe("127.0.0.1");
  });

  test("behind trusted proxies: the rightmost entry none of them is", () => {
    expect(clientAddress("203.0.113.9, 127.0.0.3", proxies)).toBe("203.0.113.9");
    expect(clientAddress("forged, 198.51.100.7, 10.8.1.2, 127.0.0.3", proxies)).toBe("198.51.100.7");
    expect(clientAddress("2001:db8::7, fd12::1", proxies)).toBe("2001:db8::7");
    // Node reports IPv4 peers of a dual-stack socket in the mapped form.
    expect(clientAddress("198.51.100.7, ::ffff:127.0.0.3", proxies)).toBe("198.51.100.7");
  });

  test("a client cannot hide behind a forged proxy address: the walk stops at the first untrusted hop", () => {
    expect(clientAddress("198.51.100.7, 127.0.0.3, 127.0.0.4", proxies)).toBe("127.0.0.4");
  });

  test("when a trusted proxy passed on no address, the key is that proxy", () => {
    expect(clientAddress("unknown, 127.0.0.3", proxies)).toBe("127.0.0.3");
    expect(clientAddress("127.0.0.3", proxies)).toBe("127.0.0.3");
    expect(clientAddress("10.8.0.1, 127.0.0.3", proxies)).toBe("10.8.0.1");
  });

  test("undefined only when the last entry is not an address", () => {
    expect(clientAddress("", none)).toBeUndefined();
    expect(clientAddress("203.0.113.9, garbage", proxies)).toBeUndefined();
  });
});

test("TRUSTED_PROXIES entries: IPv4 or IPv6 addresses and CIDR ranges; anything else is reported", () => {
  expect(invalidProxyEntries(["10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"])).toEqual([]);
  expect(invalidProxyEntries(["proxy.internal", "10.0.0.0/33", "fd00::/129", "10.0.0.1/8/8", "10.0.0.0/x", "10.0.0.0/"])).toEqual([
    "proxy.internal",
    "10.0.0.0/33",
    "fd00::/129",
    "10.0.0.1/8/8",
    "10.0.0.0/x",
    "10.0.0.0/",
  ]);
});
