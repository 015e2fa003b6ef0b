// The retry policy of the client's calls, as every official Spark Connect client has one: a transient gRPC
// failure (the server or a proxy unreachable for a moment, a dropped connection, a stream taken over by a
// newer reattach) is tried again after an exponential back-off with jitter; anything else fails at once.
// Only calls that are safe to repeat are retried: unary calls, and executions through ReattachExecute
// (reattach.ts), never a second ExecutePlan of a statement the server may already run.
import { status as Status, type ServiceError } from '@grpc/grpc-js';

/** How often and how long to try again: waits of initial × multiplier^n, capped, plus jitter on long ones. */
export interface RetryPolicy {
  readonly maxRetries: number; // attempts after the first one
  readonly initialBackoffMs: number;
  readonly multiplier: number;
  readonly maxBackoffMs: number;
  readonly jitterMs: number; // up to this much is added at random to a wait of a second or more
}

/** Waits of 0.1, 0.4, 1.6, 6.4, 10, 10 s (+ jitter): a call gives up after about 30 s of failures in a row —
 * long enough for a dropped connection or a proxy's restart, short enough that a run with its server gone
 * fails within a minute. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 6,
  initialBackoffMs: 100,
  multiplier: 4,
  maxBackoffMs: 10_000,
  jitterMs: 500,
};

/** connect() retries at most 3 times (about 2 s): a URL that points nowhere fails quickly; a blip does not. */
export const CONNECT_RETRIES = 3;

/** Whether a session's server answers: once a call has spent its retries on a transient failure the server is
 * taken as gone, and later calls try once each (a step's clean-up after the server went away must not wait
 * 30 s a statement) until one gets through. */
export interface Health {
  down: boolean;
}

/** The policy for the next call: no retries while the server is taken as gone. */
export const policyFor = (policy: RetryPolicy, health?: Health): RetryPolicy =>
  health?.down ? { ...policy, maxRetries: 0 } : policy;

/** What onRetry hears: which call failed, how, and how long the client waits before the next attempt. */
export interface RetryEvent {
  readonly call: string; // a method name, or 'reattach' / 'execute again' for an execution
  readonly attempt: number; // 1 for the first retry
  readonly waitMs: number;
  readonly error: string;
  readonly lastResponseId?: string; // an execution: the last response received before the failure
}

/** Whether Spark sent this error (a google.rpc.ErrorInfo in the trailer): the statement failed, not the wire. */
const fromSpark = (error: ServiceError) => Boolean(error.metadata?.get('grpc-status-details-bin').length);

/** A failure worth trying again: the server unreachable, the connection dropped under a call, or a stream
 * taken over by another reattach of the same operation (INVALID_CURSOR.DISCONNECTED). */
export function isTransient(error: unknown): boolean {
  const e = error as ServiceError;
  if (typeof e?.code !== 'number') return false;
  if (e.code === Status.UNAVAILABLE) return true;
  if (e.code !== Status.INTERNAL) return false;
  if (/INVALID_CURSOR\.DISCONNECTED/.test(e.details ?? '')) return true;
  return !fromSpark(e) && /RST_STREAM|Connection dropped|ECONNRESET|socket hang up/i.test(e.details ?? '');
}

/** The wait before retry number `attempt` (1-based), or undefined when the policy allows no more. */
export function backoff(policy: RetryPolicy, attempt: number): number | undefined {
  if (attempt > policy.maxRetries) return undefined;
  const wait = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** (attempt - 1));
  return Math.round(wait >= 1000 ? wait + Math.random() * policy.jitterMs : wait);
}

/** A pause that ends early (rejecting with the signal's reason) when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs a call that is safe to repeat, again after each transient failure while the policy allows. */
export async function withRetries<T>(
  policy: RetryPolicy,
  name: string,
  call: () => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: (event: RetryEvent) => void; health?: Health } = {},
): Promise<T> {
  const { signal, onRetry, health } = options;
  const effective = policyFor(policy, health);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await call();
      if (health) health.down = false;
      return result;
    } catch (error) {
      const transient = isTransient(error) && !signal?.aborted;
      const waitMs = transient ? backoff(effective, attempt) : undefined;
      if (waitMs === undefined) {
        if (transient && health) health.down = true;
        throw error;
      }
      onRetry?.({ call: name, attempt, waitMs, error: describe(error) });
      await pause(waitMs, signal).catch(() => {
        throw error;
      });
    }
  }
}

/** A gRPC error in one line, for onRetry. */
export const describe = (error: unknown): string => {
  const e = error as ServiceError;
  return typeof e?.code === 'number' ? `${Status[e.code]}: ${e.details}` : String((error as Error)?.message ?? error);
};
