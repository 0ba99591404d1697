// ESLint for the whole tree (`make lint`). Rule choices and how to run it: docs/CONTRIBUTING.md.
import js from "@eslint/js";
import prettier from "eslint-config-prettier/flat";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Generated or built output: never linted.
    ignores: [
      "**/node_modules/",
      "**/src/generated/",
      "**/.next/",
      "**/dist/",
      "**/next-env.d.ts",
      // openapi-typescript output, compared byte for byte with a fresh generation by api/test/openapi.test.ts.
      "packages/api-types/src/openapi.ts",
      "coverage/",
      "test-results/",
      "bench/results/",
      "migrator/test/fixtures/*.js",
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },

  // TypeScript: type-aware rules, each file checked against the tsconfig that compiles it.
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Template literals with numbers and booleans are how messages and URLs are built here.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      // `void promise` is the documented way to start work whose result nobody awaits.
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
      // Express and React both take async callbacks where a void one is declared; the attribute
      // and argument positions are checked, only these two framework conventions are allowed.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
      // `_`-prefixed names are deliberate placeholders (Express error handlers need four parameters).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // `declare global { namespace Express { ... } }` is how Express's Request is augmented.
      "@typescript-eslint/no-namespace": ["error", { allowDeclarations: true }],
      // Stylistic rules that churn without catching bugs.
      "@typescript-eslint/consistent-type-definitions": "off",
      "@typescript-eslint/no-confusing-void-expression": "off",
    },
  },

  // Tests: Jest's matchers and mocks are loosely typed by design, and a fixture set in beforeAll is
  // declared as always there but guarded in afterAll (`stack?.stop()`), since beforeAll may have failed.
  {
    files: ["**/test/**/*.ts", "tests/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Jest's asymmetric matchers (expect.any, expect.stringMatching) are typed any; reading an
      // untyped body (member access, call, argument, return) is still caught.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },

  // React: the hooks rules catch real bugs (conditional hooks, stale dependencies).
  {
    files: ["web/src/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },

  // Plain JavaScript (Jest configs, small Node scripts): CommonJS, no type information.
  {
    files: ["**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  { files: ["**/*.mjs"], extends: [js.configs.recommended], languageOptions: { globals: globals.node } },

  // Formatting is Prettier's job: turn off every rule that would fight it.
  prettier,
);
