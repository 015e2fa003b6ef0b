// What can go wrong talking to Spark Connect, as named errors: Spark rejected the statement (with its error
// class and the line:column in the statement), the server could not be reached, or the call was cancelled.
import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { lineColAt } from '../../../sql/line-map.js';
import { type ErrorDetail, type ErrorInfo, messages } from './protocol.js';

/** Base class: every error of this client; `code` is the gRPC status code when there was one. */
export class SparkConnectError extends Error {
  constructor(
    message: string,
    readonly code?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Spark refused or failed the statement. `line`/`column` are 1-based, in the statement's own text. */
export class SparkSqlError extends SparkConnectError {
  readonly errorClass?: string;
  readonly sqlState?: string;
  readonly line?: number;
  readonly column?: number;
  readonly fragment?: string;
  readonly parameters!: Readonly<Record<string, string>>;
  readonly exceptionClass?: string;
  readonly sparkMessage!: string; // Spark's whole text, analysed plan or `== SQL ==` excerpt included

  constructor(fields: Omit<SparkSqlError, keyof Error | 'code' | 'shortMessage'>, code: number) {
    super(shortText(fields.sparkMessage), code);
    Object.assign(this, fields);
  }
}

/** The server could not be reached or went away (down, wrong port, TLS/auth refused); names host:port only. */
export class SparkConnectionError extends SparkConnectError {}

/** The operation was stopped: its AbortSignal fired, its timeout passed, or an Interrupt (any client) hit it. */
export class SparkCancelledError extends SparkConnectError {
  constructor(
    message: string,
    readonly reason: 'aborted' | 'timeout' | 'interrupted',
    code?: number,
  ) {
    super(message, code);
  }
}

/** Spark's message without the analysed plan (after `;\n'`) or the `== SQL ==` excerpt: one readable text. */
const shortText = (message: string) =>
  message
    .trim()
    .split(/\n\n== SQL ==|;\n'|\n== SQL ==/)[0]
    .trim();

/** Where Spark points in the statement: the query context's character offset, else `line N, pos M` (0-based pos). */
function positionOf(
  sql: string,
  detail?: ErrorDetail,
  message = '',
): { line?: number; column?: number; fragment?: string } {
  const context = detail?.spark_throwable?.query_contexts?.find((c) => !c.object_type);
  if (context && context.fragment !== undefined)
    return { ...lineColAt(sql, context.start_index ?? 0), fragment: context.fragment };
  const match = /\(?line (\d+),? pos (\d+)\)?/.exec(message);
  return match ? { line: Number(match[1]), column: Number(match[2]) + 1 } : {};
}

/** The ErrorInfo of a failed call's `grpc-status-details-bin` trailer, if Spark sent one. */
export function errorInfoOf(error: ServiceError): ErrorInfo | undefined {
  const [bin] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!bin) return undefined;
  const detail = messages.status
    .decode(bin as Buffer)
    .details?.find((d) => d.type_url.endsWith('google.rpc.ErrorInfo'));
  return detail ? messages.errorInfo.decode(detail.value) : undefined;
}

const parseJson = (text?: string) => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
};

/** A SparkSqlError from the trailer's ErrorInfo and, when Spark kept it, the FetchErrorDetails root error. */
export function sqlError(error: ServiceError, sql: string, info: ErrorInfo, detail?: ErrorDetail): SparkSqlError {
  const meta = info.metadata ?? {};
  const errorClass = detail?.spark_throwable?.error_class ?? meta.errorClass;
  let sparkMessage = (detail?.message ?? error.details ?? '').trim();
  if (errorClass && !sparkMessage.includes(`[${errorClass}]`)) sparkMessage = `[${errorClass}] ${sparkMessage}`;
  return new SparkSqlError(
    {
      errorClass,
      sparkMessage,
      sqlState: detail?.spark_throwable?.sql_state ?? meta.sqlState,
      parameters: detail?.spark_throwable?.message_parameters ?? parseJson(meta.messageParameters) ?? {},
      exceptionClass: info.reason,
      ...positionOf(sql, detail, sparkMessage),
    },
    error.code,
  );
}

const UNREACHABLE = new Set([
  Status.UNAVAILABLE,
  Status.UNAUTHENTICATED,
  Status.PERMISSION_DENIED,
  Status.UNIMPLEMENTED,
  Status.CANCELLED,
]);

/** Non-SQL failures: connection (with host:port), cancellation, timeout; undefined when it is Spark's error. */
export function transportError(error: ServiceError, endpoint: string, aborted: boolean): SparkConnectError | undefined {
  if (error.code === Status.CANCELLED && aborted)
    return new SparkCancelledError('Spark Connect operation cancelled', 'aborted', error.code);
  if (error.code === Status.DEADLINE_EXCEEDED)
    return new SparkCancelledError(`Spark Connect operation timed out (${endpoint})`, 'timeout', error.code);
  if (errorInfoOf(error)) return undefined;
  const reason = `${Status[error.code]}: ${error.details}`;
  if (/wrong version number|packet length too long|WRONG_VERSION_NUMBER/i.test(error.details ?? '')) {
    return new SparkConnectionError(
      `cannot reach Spark Connect at ${endpoint} over TLS: the server answers without TLS (a token in the URL turns TLS on, as in every Spark Connect client): for a server without TLS drop the token, or give the server TLS (a proxy in front)`,
      error.code,
      { cause: error },
    );
  }
  if (UNREACHABLE.has(error.code) || /RST_STREAM|Connection dropped|socket|ECONN/i.test(error.details ?? '')) {
    return new SparkConnectionError(
      `cannot reach Spark Connect at ${endpoint} (${reason}): is the server running? check the URL, port and token`,
      error.code,
      { cause: error },
    );
  }
  return new SparkConnectError(`Spark Connect at ${endpoint} failed: ${reason}`, error.code, { cause: error });
}
