import { signToken } from "@authbridge/testing/tokens";
import { refreshAfterMs } from "../src/lib/tokenRefresh";

const token = (claims: object) => signToken(claims, Buffer.alloc(32, 1)).token;

test("a 15-minute token is replaced a minute before it ends; a short one at half its life", () => {
  expect(refreshAfterMs(token({ sub: "u1", iat: 1000, exp: 1900 }))).toBe(840_000);
  expect(refreshAfterMs(token({ sub: "u1", iat: 1000, exp: 1010 }))).toBe(5_000);
  expect(refreshAfterMs(token({ sub: "u1", iat: 1000, exp: 1100 }))).toBe(50_000);
});

test("a token whose lifetime cannot be read is replaced at once", () => {
  expect(refreshAfterMs(token({ sub: "u1", exp: 1900 }))).toBe(0);
  expect(refreshAfterMs(token({ sub: "u1", iat: 1900, exp: 1000 }))).toBe(0);
  expect(refreshAfterMs("not-a-token")).toBe(0);
  expect(refreshAfterMs("a.%%%.c")).toBe(0);
});
