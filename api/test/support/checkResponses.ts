// Jest setup for the api project: every answer a test receives, through supertest or fetch, is
// checked against the committed OpenAPI document (support/openapiCheck.ts), so the document
// cannot drift from what the api really does. A disagreement fails the test that saw it.
import { contractProblem } from "./openapiCheck";

interface SupertestResponse {
  status: number;
  headers: Record<string, string>;
  text?: string;
  req: { method: string; path: string };
}
type Done = (err: Error | null, res?: SupertestResponse) => void;
interface TestPrototype {
  assert(resError: Error | null, res: SupertestResponse | undefined, fn?: Done): void;
}

// supertest runs every request's assertions through Test#assert, also for `await request(...)`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prototype } = require("supertest/lib/test.js") as { prototype: TestPrototype };
const assert = prototype.assert;
prototype.assert = function (this: TestPrototype, resError, res, fn) {
  const problem = res
    ? contractProblem({ method: res.req.method, url: res.req.path, status: res.status, headers: res.headers, text: res.text ?? "" })
    : null;
  if (problem && fn) return fn(new Error(`api answer contradicts api/openapi.json: ${problem}`), res);
  assert.call(this, resError, res, fn);
};

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await realFetch(input, init);
  // The web's JWKS (jwks.test.ts serves one, which the api under test fetches) is no answer of the api's.
  if (new URL(input instanceof Request ? input.url : String(input)).pathname === "/api/auth/jwks") return response;
  const problem = contractProblem({
    method: init?.method ?? (input instanceof Request ? input.method : "GET"),
    url: input instanceof Request ? input.url : String(input),
    status: response.status,
    headers: Object.fromEntries(response.headers),
    text: await response.clone().text(),
  });
  if (problem) throw new Error(`api answer contradicts api/openapi.json: ${problem}`);
  return response;
};
