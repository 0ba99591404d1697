// The policy the proxy sends: production's exactly, and development's as production's plus only
// what `next dev`'s tools need (dev.test.ts proves in Chromium that they need it).
import { contentSecurityPolicy } from "../src/lib/securityHeaders";

const NONCE = "bm9uY2Utbm9uY2Utbm9uY2U=";
const config = { audience: "https://api.example.test" };

const PRODUCTION = [
  "default-src 'self'",
  `script-src 'self' 'nonce-${NONCE}' 'strict-dynamic'`,
  `style-src 'self' 'nonce-${NONCE}'`,
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' https://api.example.test",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

test("production: nonce-only scripts and styles, no eval, no inline styles", () => {
  expect(contentSecurityPolicy(NONCE, { ...config, production: true }).split("; ")).toEqual(PRODUCTION);
});

test("development: production's policy plus 'unsafe-eval' and inline style elements, nothing else", () => {
  const development = contentSecurityPolicy(NONCE, { ...config, production: false }).split("; ");
  const expected = [...PRODUCTION];
  expected[1] = `${PRODUCTION[1]} 'unsafe-eval'`;
  expected.splice(3, 0, "style-src-elem 'self' 'unsafe-inline'");
  expect(development).toEqual(expected);
});
