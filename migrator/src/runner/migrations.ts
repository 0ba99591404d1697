// The committed migrations as Prisma reads them: one folder per migration, applied in name
// order, each holding migration.sql; migration_lock.toml and other files are not migrations.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ExitCode, MigratorError } from "../exit-codes";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir: string): Migration[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new MigratorError(`the migrations folder ${dir} cannot be read`, ExitCode.config);
  }
  return entries
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const file = path.join(dir, name, "migration.sql");
      let sql: string;
      try {
        sql = readFileSync(file, "utf8");
      } catch {
        throw new MigratorError(`the migration ${name} has no readable migration.sql`, ExitCode.failed);
      }
      return { name, sql, checksum: checksum(sql) };
    });
}

/** Prisma's checksum: SHA-256 of the file's bytes, lowercase hex. */
export function checksum(sql: string): string {
  return createHash("sha256").update(sql, "utf8").digest("hex");
}

/** Prisma accepts a script whose only change is CRLF <-> LF line endings (a git checkout on Windows). */
export function matchesChecksum(sql: string, recorded: string): boolean {
  const lf = sql.replace(/\r\n/g, "\n");
  return [sql, lf, lf.replace(/\n/g, "\r\n")].some((variant) => checksum(variant) === recorded);
}
