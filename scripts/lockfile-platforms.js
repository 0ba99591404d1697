#!/usr/bin/env node
// Run from the repo root after `npm install` on a network whose registry mirror lacks some
// platforms' native builds (here: @swc/core and unrs-resolver for darwin, win32, ...).
// Adds lock entries for optional platform packages the reachable registry lacks, so that
// `npm ci` sees a lock in sync with package.json; npm skips them by os/cpu on other platforms.
const fs = require("fs");
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
const platform = (name) => {
  const p = name.replace(/^@[^/]+\/[a-z]+-(binding-)?/, "").replace(/^core-/, "");
  const [os, cpu, abi] = p.split("-");
  const cpuMap = { x64: "x64", arm64: "arm64", arm: "arm", ia32: "ia32", ppc64: "ppc64", s390x: "s390x", riscv64: "riscv64", loong64: "loong64" };
  const entry = { os: [os], cpu: [cpuMap[cpu] ?? cpu] };
  if (os === "linux" && abi) entry.libc = [abi.startsWith("musl") ? "musl" : "glibc"];
  return entry;
};
let added = 0;
for (const meta of Object.values(lock.packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (!/^@(swc\/core|unrs\/resolver-binding)-/.test(dep)) continue;
    const path = `node_modules/${dep}`;
    if (lock.packages[path]) continue;
    lock.packages[path] = {
      version,
      dev: true,
      ...platform(dep.replace(/^@unrs\/resolver-binding-/, "@x/y-").replace(/^@swc\/core-/, "@x/y-")),
      optional: true,
    };
    added++;
  }
}
fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
console.log("added", added);
