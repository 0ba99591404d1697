import path from "node:path";
import type { NextConfig } from "next";

// The monorepo root: the standalone output must trace the hoisted node_modules above web/.
const repoRoot = path.join(__dirname, "..");

const nextConfig: NextConfig = {
  output: "standalone",
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  // The process entry (src/server.ts) reads the environment with config.ts before Next starts, in
  // plain node: what it loads must be in the standalone output. envalid is left out of the bundle,
  // so Next traces it (and what it needs) there; the workspace packages are bundled from their
  // sources' links, so their built files are named for the trace.
  serverExternalPackages: ["envalid"],
  outputFileTracingIncludes: { "/*": ["../node_modules/@authbridge/{service-kit,postgres}/{package.json,dist/**/*.js}"] },
  poweredByHeader: false,
  // The headers that never change; the CSP (per-request nonce, API origin) and HSTS (BETTER_AUTH_URL)
  // depend on the request or the run-time environment: src/proxy.ts sets them.
  headers() {
    return Promise.resolve([
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ]);
  },
};

export default nextConfig;
