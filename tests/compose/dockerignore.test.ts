/**
 * The build context `docker build .` sends (the repository root less .dockerignore), listed from
 * the real tree with Docker's own matching rules: no .env file at any depth, only the root
 * template; no local state or host build; everything the Dockerfile copies still in.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import dockerignore from "@balena/dockerignore";
import { contextFiles, dockerignorePatterns, repoRoot } from "./support";

const isEnvFile = (file: string) => path.posix.basename(file).startsWith(".env");

test("every exception (!) names a top-level path, so the listing may skip excluded folders whole, as Docker's client does", () => {
  const exceptions = dockerignorePatterns().filter((p) => p.startsWith("!"));
  expect(exceptions).toEqual(["!.env.example"]);
  for (const exception of exceptions) expect(exception.slice(1)).not.toMatch(/[/*]/);
});

describe("the real tree, with .env files planted where a developer would leave them", () => {
  const tag = `authbridge-test-${randomBytes(4).toString("hex")}`;
  // Names no developer uses, so the test never touches a real file; each starts with .env as theirs would.
  const planted = [
    `.env.${tag}`,
    `web/.env.production.${tag}`,
    `web/.env.${tag}.local`,
    `api/src/.env.${tag}`,
    `migrator/prisma/.env.${tag}`,
    `packages/postgres/.env.${tag}`,
    `${tag}/deep/er/.env`,
  ];
  let files: string[];
  let before: string[];
  beforeAll(() => {
    for (const file of planted) {
      mkdirSync(path.dirname(path.join(repoRoot, file)), { recursive: true });
      writeFileSync(path.join(repoRoot, file), "BETTER_AUTH_SECRET=planted-by-a-test\n", { mode: 0o600 });
    }
    try {
      files = contextFiles();
      const rootOnly = [".env", ".env.*", "!.env.example", ...dockerignorePatterns().filter((p) => !p.includes(".env"))];
      before = contextFiles(dockerignore().add(rootOnly));
    } finally {
      for (const file of planted) rmSync(path.join(repoRoot, file), { force: true });
      rmSync(path.join(repoRoot, tag), { recursive: true, force: true });
    }
  });

  test("the planted files exist in the tree, but none is in the context", () => {
    expect(files.length).toBeGreaterThan(50);
    for (const file of planted) expect(`${file}: ${files.includes(file)}`).toBe(`${file}: false`);
  });

  test("no .env file at any depth is in the context; .env.example at the root is", () => {
    expect(files.filter(isEnvFile)).toEqual([".env.example"]);
    // make env wrote the real .env beside it: present in the tree, absent from the context.
    if (existsSync(path.join(repoRoot, ".env"))) expect(files).not.toContain(".env");
  });

  test("no dependencies, host builds, generated clients, git data or local database in the context", () => {
    const leaks = files.filter((f) => /(^|\/)(node_modules|dist|\.next|\.git|\.data|test-results)\/|\/src\/generated\/|\.tsbuildinfo$/.test(f));
    expect(leaks).toEqual([]);
  });

  test("the probe tells them apart: with the root-only patterns of before, the nested ones would have gone in", () => {
    expect(before).toEqual(expect.arrayContaining(planted.filter((file) => file.includes("/"))));
    expect(before).not.toContain(planted[0]);
  });
});
