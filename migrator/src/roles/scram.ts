// A role's password as PostgreSQL stores it (a SCRAM-SHA-256 verifier, RFC 5802 / RFC 7677), made
// here so the password itself never travels to the server: `CREATE ROLE ... PASSWORD '<verifier>'`
// is what a server log with log_statement = 'ddl' would show, and the verifier does not reveal the
// password (psql's \password does the same). The server's own format:
// SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, each part base64.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** PostgreSQL's default scram_iterations. */
const ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // SASLprep is the identity for printable ASCII, which is all make env generates (hex).
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
