// The Spark Connect client of the spark engine: connect with an sc:// URL, run SQL, stream Arrow batches.
export { type Column, type Row, rowsOf } from './arrow.js';
export { SparkCancelledError, SparkConnectError, SparkConnectionError, SparkSqlError } from './errors.js';
export { type ConnectOptions, type ResultBatch, SparkConnect, type SqlOptions, type SqlResult } from './session.js';
export { DEFAULT_RETRY, type RetryEvent, type RetryPolicy } from './retry.js';
export { type ConnectUrl, ConnectUrlError, DEFAULT_PORT, parseConnectUrl, redactUrl } from './url.js';
