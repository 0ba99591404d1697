// Lets `node -r ./bench/register.js bench/src/main.ts` run the TypeScript harness (and the shared
// packages/testing/pg.ts, whose paths are relative to its own folder) without a separate build: @swc/core,
// the compiler Jest already uses here, strips the types on require. Type checking is `tsc -p bench`.
"use strict";
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    filename,
    sourceMaps: "inline",
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
