// Runs once when the server starts, before it serves a request: refuses to run with a bad
// environment and logs the token key's fingerprint, which must equal the api's.
export async function register(): Promise<void> {
  // NEXT_RUNTIME is replaced at build time by Next; the start-up code needs Node's crypto.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startUp } = await import("./lib/startup");
  startUp();
}
