import { createSecretKey } from "node:crypto";
import { signatureValid } from "@authbridge/testing/tokens";
import { signHs256 } from "../src/lib/hs256";
import { decodePart } from "@authbridge/testing/auth";

const keyBytes = Buffer.alloc(32, 7);

const signing = { kid: "7", key: createSecretKey(keyBytes) };

test("signs compact HS256 JWS, kid naming the key, that an independent verifier accepts", () => {
  const token = signHs256({ sub: "u1", iat: 1, exp: 2 }, signing);
  expect(decodePart(token, 0)).toEqual({ alg: "HS256", typ: "JWT", kid: "7" });
  expect(decodePart(token, 1)).toEqual({ sub: "u1", iat: 1, exp: 2 });
  expect(signatureValid(token, keyBytes)).toBe(true);
  expect(signatureValid(token, Buffer.alloc(32, 8))).toBe(false);
});

test("a caller's header cannot change the algorithm or the kid", () => {
  const header = { typ: "logout+jwt", alg: "none", kid: "1" } as { typ: string };
  const token = signHs256({ sub: "u1" }, signing, header);
  expect(decodePart(token, 0)).toEqual({ alg: "HS256", typ: "logout+jwt", kid: "7" });
});
