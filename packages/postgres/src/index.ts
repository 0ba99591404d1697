// The database connection rules of every service (api, web, migrator), in one place.
export { type ConnectionLoss, connectionLossOf, isReadOnly, mayReplay } from "./connectionLoss";
export { codeOf } from "./errorCode";
export { type PoolLogger, ResilientPool } from "./resilientPool";
export { type ConnectionSettings, type IntegerRange, POOL_LIMITS, connectionConfig, poolConfig } from "./settings";
export { type ConnectionTls, UnencryptedConnectionError, assertEncrypted, tlsOf } from "./tls";
export { TLS_SSL_MODES, databaseHostKind, isPostgresUrl, isTransactionPooler, pinnedTlsUrl, tlsUrlProblem } from "./url";
