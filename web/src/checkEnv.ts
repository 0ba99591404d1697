// Runs as its own node process before the server (scripts/serve.sh, the image's CMD): Next opens
// its port before instrumentation.ts runs, so a bad environment must be refused before Next starts.
// Compiled on its own by tsconfig.check-env.json, with config.ts as the one set of rules.
import { configOrExit } from "./lib/configOrExit";

configOrExit();
