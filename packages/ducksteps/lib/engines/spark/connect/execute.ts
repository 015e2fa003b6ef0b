// One execution as an async iterator of responses: our own operation id (so it can be interrupted and
// reattached to), reattached after a broken stream (reattach.ts), cancellation by AbortSignal or timeout
// (Interrupt on the server, then the stream is cancelled), and gRPC failures turned into SparkSqlError /
// SparkConnectionError / SparkCancelledError.
import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import type { Channel } from './channel.js';
import { SparkCancelledError, errorInfoOf, sqlError, transportError } from './errors.js';
import { type ExecutePlanRequest, type ExecutePlanResponse, type UserContext, messages } from './protocol.js';
import { Execution } from './reattach.js';
import { type Health, type RetryEvent, type RetryPolicy, withRetries } from './retry.js';

/** What every request of a session carries, and how its calls are retried. */
export interface SessionContext {
  readonly channel: Channel;
  readonly session_id: string;
  readonly user_context: UserContext;
  readonly client_type: string;
  readonly retry: RetryPolicy;
  readonly onRetry?: (event: RetryEvent) => void;
  readonly health: Health;
}

/** Options of one operation: cancel it with `signal`, bound it with `timeoutMs`, label it with `tags`. */
export interface OperationOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly tags?: readonly string[];
}

const base = (s: SessionContext) => ({
  session_id: s.session_id,
  user_context: s.user_context,
  client_type: s.client_type,
});

/** Asks the server to stop one operation; never throws (the server may already be gone). */
export async function interruptOperation(session: SessionContext, operationId: string): Promise<void> {
  const request = {
    ...base(session),
    interrupt_type: 'INTERRUPT_TYPE_OPERATION_ID' as const,
    operation_id: operationId,
  };
  await session.channel
    .unary('Interrupt', messages.interruptRequest, messages.interruptResponse, request, { timeoutMs: 10_000 })
    .catch(() => undefined); // not retried: a stop must be prompt, and the release that follows stops it too
}

/** Spark's root error with details (error class, query context), fetched by the trailer's errorId. */
async function rootErrorDetail(session: SessionContext, errorId?: string) {
  if (!errorId) return undefined;
  const call = () =>
    session.channel.unary(
      'FetchErrorDetails',
      messages.errorDetailsRequest,
      messages.errorDetailsResponse,
      { ...base(session), error_id: errorId },
      { timeoutMs: 10_000 },
    );
  const response = await withRetries(session.retry, 'FetchErrorDetails', call, session).catch(() => undefined);
  return response?.errors?.[response.root_error_idx ?? 0];
}

/** The error a failed call becomes; `sql` is the statement text positions are counted in. */
async function failure(session: SessionContext, error: ServiceError, sql: string, stopped?: 'aborted' | 'timeout') {
  if (stopped)
    return new SparkCancelledError(
      stopped === 'timeout'
        ? `Spark Connect operation timed out (${session.channel.endpoint})`
        : 'Spark Connect operation cancelled',
      stopped,
      error.code,
    );
  const transport = transportError(error, session.channel.endpoint, false);
  if (transport) return transport;
  const info = errorInfoOf(error)!;
  const failed = sqlError(error, sql, info, await rootErrorDetail(session, info.metadata?.errorId));
  return failed.errorClass === 'OPERATION_CANCELED'
    ? new SparkCancelledError(`Spark Connect operation interrupted: ${failed.message}`, 'interrupted', error.code)
    : failed;
}

/** Runs one plan; yields each response once, in order, across reattaches (a consumer that stops early
 * cancels the operation). */
export async function* executePlan(
  session: SessionContext,
  plan: ExecutePlanRequest['plan'],
  sql: string,
  options: OperationOptions = {},
): AsyncGenerator<ExecutePlanResponse> {
  const operation_id = randomUUID();
  const request = {
    ...base(session),
    plan,
    operation_id,
    tags: [...(options.tags ?? [])],
    request_options: [{ reattach_options: { reattachable: true } }],
  };
  const execution = new Execution(session, request);
  let stopped: 'aborted' | 'timeout' | undefined;
  const stop = (why: 'aborted' | 'timeout') => {
    stopped ??= why;
    void interruptOperation(session, operation_id).finally(() => execution.cancel());
  };
  const onAbort = () => stop('aborted');
  if (options.signal?.aborted) stop('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
  let ended = false;
  try {
    yield* execution.responses();
    ended = true;
    if (stopped) throw cancelled(stopped);
  } catch (error) {
    ended = true;
    if (error instanceof SparkCancelledError || !(error as ServiceError).metadata)
      throw stopped ? cancelled(stopped) : error;
    throw await failure(session, error as ServiceError, sql, stopped);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (!ended && !stopped) stop('aborted'); // the consumer stopped early: stop the server's work too
  }
}

const cancelled = (why: 'aborted' | 'timeout') =>
  new SparkCancelledError(
    why === 'timeout' ? 'Spark Connect operation timed out' : 'Spark Connect operation cancelled',
    why,
  );
