// Loaded before every test file (jest.config.js): each secret the test kit makes or sees (auth
// secrets, database passwords, passwords, cookies, tokens) is remembered for the log audit.
import { onSecret } from "@authbridge/testing/secrets";
import { rememberSecret } from "./record";

onSecret(rememberSecret);
