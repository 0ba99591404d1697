#!/usr/bin/env node
// Renders docs/RESILIENCE.md from test-results/resilience/summary.json, the file the suite's own
// reporter writes after a run: `node tests/resilience/render-report.js` after running the suite.
// Every number in the report comes from that file; the prose here only says what each part does.
const fs = require("node:fs");
const path = require("node:path");
const { repoRoot, summaryFile } = require("./support/paths");

const target = path.join(repoRoot, "docs", "RESILIENCE.md");

const SECTIONS = [
  {
    file: "faults.test.ts",
    title: "Faults",
    how:
      "One TLS cluster, the built api (`api/dist/server.js`) with `HEALTHZ_TIMEOUT_MS=1000`. The database is stopped with " +
      "`pg_ctl stop -m fast` and started again; a TCP proxy in front of it is frozen (nothing forwarded, new connections " +
      "accepted and never answered) with `DB_CONNECT_TIMEOUT_MS=1500` and `DB_QUERY_TIMEOUT_MS=1500`, first before the api ever " +
      "connected, then with warm connections; the api's idle connections are killed with `pg_terminate_backend`; SIGTERM " +
      "arrives while 8 requests are provably inside the api (waiting on a table lock the test holds) and 4 clients keep " +
      "sending. Proves: database routes answer 503 JSON (never 500, never a crash), `/healthz` 503 within its deadline, " +
      "auth-only routes and `/livez` unaffected, recovery without a restart within 5 s, in-flight requests complete and are " +
      "stored, exit 0 within 10 s.",
  },
  {
    file: "migrator.test.ts",
    title: "Migrator killed mid-run",
    how:
      "The committed migrations plus a slow one of the suite's own (rows, `pg_sleep(0.8)`, an index), given through " +
      "`MIGRATIONS_DIR`. The built migrator is SIGKILLed while the slow migration runs (advisory lock held, first migration " +
      "committed) and at spread-out moments of a run, then run again. Proves: the re-run waits for the orphaned session, " +
      "ends with every migration recorded once, finished, with matching checksums, all tables, exactly the expected rows " +
      "and index, no lock left behind; a further run applies nothing.",
  },
  {
    file: "load.test.ts",
    title: "Load",
    how:
      "Two users signed up through the built web (production mode), their tokens from `GET /api/auth/token`; 8 concurrent " +
      "workers per user create tasks and read their whole list, and now and then try the other user's list. Proves: zero " +
      "responses with the other user's data (every listed title is the owner's, no id of the other's), zero 5xx, every " +
      "cross-user attempt 403, and afterwards each list (and the table) holds exactly the tasks the api acknowledged.",
  },
  {
    file: "security.test.ts",
    title: "Hostile input, CORS, rate limiting",
    how:
      "fast-check properties over raw HTTP (bytes as sent, not normalised by a client). The token oracle is jose with the " +
      "contract's HKDF key, independent of both services: any 2xx must be explained by a token jose accepts, for the user " +
      "served. Hostile tokens include expired, wrong `aud`/`iss`, future `nbf`/`iat`, missing `exp`/`sub`, non-string or " +
      "over-long `sub`, HS384/HS512, signed with the raw `BETTER_AUTH_SECRET` or another key, `alg: none`, a swapped " +
      "payload, truncation, case changes and appended bytes. Bodies are checked against an independent restatement of the " +
      "task rule (201 exactly when valid). The seed is fixed when `CI=true` and printed with the run count. The rate limit " +
      "case runs against the built web with `NODE_ENV=production`, the client address in `x-forwarded-for`.",
  },
  {
    file: "logs.test.ts",
    title: "Logs",
    how:
      "Every service's stdout and stderr is captured for the whole run (`test-results/resilience/logs`). Every secret " +
      "value the run used (auth secrets and their derived keys in hex/base64, database passwords, user passwords, every " +
      "token and its signature, session cookies raw, decoded and the bare session token) is searched for raw, JSON-escaped " +
      "and URL-encoded, and the logs are also searched for anything shaped like a JWT, a bearer credential, a session " +
      "cookie or a database URL with a password. A planted leak proves the search finds one.",
  },
];

const COLUMNS = ["requests", "faults", "inputs", "failures"];

function flatten(value, prefix = "") {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const shown = Array.isArray(value) ? (value.every((v) => typeof v !== "object") ? value.join(", ") : JSON.stringify(value)) : String(value);
    return [[prefix, shown]];
  }
  return Object.entries(value).flatMap(([key, v]) => flatten(v, prefix ? `${prefix}.${key}` : key));
}

function caseBlock(c) {
  const counts = COLUMNS.filter((k) => c.counts[k] !== undefined).map((k) => `${k} ${c.counts[k]}`).join(", ");
  const details = flatten(c.details).filter(([k]) => k);
  return [
    `- **${c.status === "passed" ? "PASS" : c.status.toUpperCase()}** ${c.name}`,
    `  - ${counts || "no counts recorded"}; ${c.durationMs ?? "?"} ms`,
    ...(details.length ? [`  - ${details.map(([k, v]) => `${k}: ${v}`).join("; ")}`] : []),
  ].join("\n");
}

function render(summary) {
  const total = (key) => summary.cases.reduce((n, c) => n + (c.counts[key] ?? 0), 0);
  const out = [
    "# Resilience and security suite",
    "",
    "What the stack survives, shown by `tests/resilience` (its own Jest project; `make test` runs it, or alone:",
    "`cd tests/resilience && ../../node_modules/.bin/jest` after building the workspaces). It starts the BUILT",
    "programs (api, web, migrator) as child processes on free loopback ports against throw-away TLS PostgreSQL",
    "clusters, bounded in requests and time, and stops them all, also on failure.",
    "",
    "This file is generated: run the suite, then `node tests/resilience/render-report.js`. The numbers below are",
    "the suite's own output from its last run (`test-results/resilience/summary.json`).",
    "",
    "## Last run",
    "",
    `- Finished ${summary.finishedAt}, ${Math.round(summary.durationMs / 1000)} s in all, Node ${summary.node}, ${summary.cores} cores, ` +
      `${summary.ci ? "CI=true (fixed fast-check seed)" : "CI unset (fresh fast-check seeds, printed)"}.`,
    `- ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped.`,
    `- Requests sent ${total("requests")}, faults injected ${total("faults")}, inputs tried ${total("inputs")}, failures ${total("failures")}.`,
    "",
    "| Case | Result | Requests | Faults | Inputs | Failures |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...summary.cases.map(
      (c) => `| ${c.name.replace(/\|/g, "\\|")} | ${c.status} | ${COLUMNS.map((k) => c.counts[k] ?? "").join(" | ")} |`,
    ),
    "",
  ];
  for (const section of SECTIONS) {
    const cases = summary.cases.filter((c) => c.file.endsWith(section.file));
    out.push(`## ${section.title} (\`${section.file}\`)`, "", section.how, "", ...(cases.length ? cases.map(caseBlock) : ["- not run in the last run"]), "");
  }
  out.push(
    "## Findings while building the suite",
    "",
    "- JSON body fuzzing: a task title holding half a UTF-16 surrogate pair (`{\"title\":\"ok \\udfff\"}`) was",
    "  accepted with 201 and stored as U+FFFD, so the api answered with a title the client never sent. Fixed in",
    "  `api/src/contract/schemas.ts` (400, `must be valid Unicode text`), with a case in `api/test/auth.test.ts`.",
    "",
    "## Counting",
    "",
    "- requests: HTTP requests the case sent to the services (refused connections after a SIGTERM included).",
    "- faults: database stops, hangs, killed connections, signals and kills actually delivered.",
    "- inputs: generated inputs tried (fast-check runs), or secret values audited (logs).",
    "- failures: answers or outcomes that broke the case's property; any failure also fails the test.",
    "",
  );
  return out.join("\n");
}

const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, render(summary));
console.log(`wrote ${path.relative(process.cwd(), target)} from ${path.relative(process.cwd(), summaryFile)}`);
