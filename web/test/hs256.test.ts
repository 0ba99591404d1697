import { createSecretKey } from "node:crypto";
import { signHs256 } from "../src/lib/hs256";
import { decodePart } from "./support/http";
import { signatureValid } from "./support/jws";

const keyBytes = Buffer.alloc(32, 7);

test("signs compact HS256 JWS that an independent verifier accepts", () => {
  const token = signHs256({ sub: "u1", iat: 1, exp: 2 }, createSecretKey(keyBytes));
  expect(decodePart(token, 0)).toEqual({ alg: "HS256", typ: "JWT" });
  expect(decodePart(token, 1)).toEqual({ sub: "u1", iat: 1, exp: 2 });
  expect(signatureValid(token, keyBytes)).toBe(true);
  expect(signatureValid(token, Buffer.alloc(32, 8))).toBe(false);
});

test("a caller's header cannot change the algorithm", () => {
  const header = { typ: "logout+jwt", alg: "none" } as { typ: string };
  const token = signHs256({ sub: "u1" }, createSecretKey(keyBytes), header);
  expect(decodePart(token, 0)).toEqual({ alg: "HS256", typ: "logout+jwt" });
});
