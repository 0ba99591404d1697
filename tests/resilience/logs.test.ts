// The log audit, run last (sequencer.js): every line every service wrote during the whole suite
// (test-results/resilience/logs) is searched for every secret value the suite used: auth
// secrets and derived token keys, database passwords, user passwords, access tokens and session
// cookies, in the spellings a log line could carry them (raw, JSON-escaped, URL-encoded).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { logsDir, secretsFile } from "./support/paths";
import { record } from "./support/record";

interface Secret {
  kind: string;
  value: string;
}

function spellings(secret: Secret): string[] {
  const { value } = secret;
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, "+")]);
  // A token is only usable with its signature, and a log that cut the token would still show it.
  if (secret.kind === "token") {
    const signature = value.split(".")[2] ?? "";
    if (signature.length >= 16) forms.add(signature);
  }
  return [...forms];
}

/** Where any spelling of any secret occurs: file, line and kind, never the value itself. */
function findLeaks(files: { name: string; text: string }[], secrets: Secret[]): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (const form of spellings(secret)) {
      for (const file of files) {
        const at = file.text.indexOf(form);
        if (at === -1) continue;
        const line = file.text.slice(0, at).split("\n").length;
        const id = createHash("sha256").update(secret.value).digest("hex").slice(0, 8);
        leaks.push(`${secret.kind} (sha256 ${id}) in ${file.name}:${line}`);
      }
    }
  }
  return [...new Set(leaks)];
}

// Shapes of credentials the suite did not make itself (one the web made and never handed out).
const SHAPES: [string, RegExp][] = [
  ["JWT", /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/],
  ["bearer credential", /Bearer\s+[A-Za-z0-9._~+/-]{16,}/i],
  ["session cookie", /session_token=[^;\s"]{8,}/],
  ["database URL with a password", /postgres(ql)?:\/\/[^:/\s"]+:[^@/\s"]+@/],
];

/** Whether a line is a log record with the fields every service writes (pino: level, time, service, pid, msg). */
function isRecordOf(service: string, line: string): boolean {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    return (
      record.service === service &&
      typeof record.level === "number" &&
      typeof record.time === "number" &&
      typeof record.pid === "number" &&
      typeof record.msg === "string"
    );
  } catch {
    return false;
  }
}

const logFiles = existsSync(logsDir) ? readdirSync(logsDir).filter((n) => n.endsWith(".log")) : [];
const secrets: Secret[] = existsSync(secretsFile)
  ? readFileSync(secretsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Secret)
  : [];

afterAll(() => {
  rmSync(path.dirname(secretsFile), { recursive: true, force: true });
});

if (logFiles.length === 0) {
  test.skip("log audit: no service ran in this run (run the whole suite, the audit reads what the other files' services wrote)", () => undefined);
} else {
  test("logs of every service captured during the whole suite contain no secret, password, token or session cookie", () => {
    const files = logFiles.map((name) => ({ name, text: readFileSync(path.join(logsDir, name), "utf8") }));
    const byKind: Record<string, number> = {};
    for (const s of secrets) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
    const services = [...new Set(logFiles.map((n) => n.replace(/-\d+\.log$/, "")))].sort();

    // The audit can fail: a planted token and password are found.
    const planted = secrets.find((s) => s.kind === "token");
    if (planted) expect(findLeaks([{ name: "planted", text: `x\n{"auth":"Bearer ${planted.value}"}` }], [planted])).toHaveLength(1);

    const leaks = findLeaks(files, secrets);
    const shapes = files.flatMap((file) => SHAPES.filter(([, re]) => re.test(file.text)).map(([what]) => `${what} in ${file.name}`));
    const lines = files.reduce((n, f) => n + f.text.split("\n").length - 1, 0);
    const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
    record(
      { inputs: secrets.length, failures: leaks.length + shapes.length },
      { services, files: files.length, lines, bytes, secretsByKind: byKind },
    );
    expect(leaks).toEqual([]);
    expect(shapes).toEqual([]);
    // The audit covered something real: each service logged, and each kind of secret was in play.
    expect(services).toEqual(expect.arrayContaining(["api", "migrator"]));
    expect(Object.keys(byKind)).toEqual(expect.arrayContaining(["auth-secret", "token-key", "db-password", "token"]));
    // The migrator writes nothing but log records; counted, never printed (a line could hold a secret).
    const migratorLines = files.filter((f) => f.name.startsWith("migrator-")).flatMap((f) => f.text.split("\n").filter(Boolean));
    expect(migratorLines.length).toBeGreaterThan(0);
    expect(migratorLines.filter((line) => !isRecordOf("migrator", line)).length).toBe(0);
  });
}
