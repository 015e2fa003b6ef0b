// One reattachable execution (Spark ≥ 3.5): ExecutePlan under our operation id with ReattachOptions, so the
// server keeps the operation and its responses when the stream breaks. After a transient failure the client
// waits (retry.ts) and resumes with ReattachExecute after the last response it received; a stream the server
// ends without ResultComplete (it caps a stream's duration) is resumed the same way. An ExecutePlan that
// never reached the server (OPERATION_NOT_FOUND before any response) is sent again. Responses are released
// (ReleaseExecute) as they are consumed and the operation once complete.
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { status as Status } from '@grpc/grpc-js';
import { errorInfoOf } from './errors.js';
import type { SessionContext } from './execute.js';
import { type ExecutePlanRequest, type ExecutePlanResponse, messages } from './protocol.js';
import { backoff, describe, isTransient, pause, policyFor } from './retry.js';

type Stream = ClientReadableStream<ExecutePlanResponse>;

/** Spark's error class on a failed call (INVALID_HANDLE.OPERATION_NOT_FOUND, …), from its trailer or text. */
const errorClass = (error: unknown): string => {
  const e = error as ServiceError;
  if (typeof e?.code !== 'number') return '';
  return errorInfoOf(e)?.metadata?.errorClass ?? /\[([A-Z_.]+)\]/.exec(e.details ?? '')?.[1] ?? '';
};

/** An execution's responses across every stream it takes. */
export class Execution {
  private call?: Stream;
  private readonly halt = new AbortController();
  private lastResponseId?: string;
  private received = false;

  constructor(
    private readonly session: SessionContext,
    private readonly request: ExecutePlanRequest & { operation_id: string },
  ) {}

  /** Stops reading: cancels the current stream and any wait; stopping the server's work is the caller's. */
  cancel(): void {
    this.halt.abort();
    this.call?.cancel();
  }

  /** Every response once, in order, until ResultComplete; throws the failure that could not be recovered. */
  async *responses(): AsyncGenerator<ExecutePlanResponse> {
    try {
      yield* this.read();
    } finally {
      this.release(); // complete, failed or abandoned: the server may forget the operation
    }
  }

  private async *read(): AsyncGenerator<ExecutePlanResponse> {
    this.call = this.open('ExecutePlan');
    for (let failures = 0; this.call;) {
      let complete = false;
      try {
        for await (const response of this.call as AsyncIterable<ExecutePlanResponse>) {
          failures = 0;
          this.received = true;
          this.session.health.down = false;
          this.lastResponseId = response.response_id || this.lastResponseId;
          complete ||= Boolean(response.result_complete);
          yield response;
          if (response.arrow_batch && this.lastResponseId) this.release({ response_id: this.lastResponseId });
        }
      } catch (error) {
        this.call = await this.recover(error, ++failures);
        continue;
      }
      if (complete) break;
      this.call = this.open('ReattachExecute'); // ended without ResultComplete: there is more
    }
  }

  /** The next stream after a failure, undefined when there is nothing more to read; else it throws. */
  private async recover(error: unknown, failures: number): Promise<Stream | undefined> {
    if (this.halt.signal.aborted) throw error;
    const code = (error as ServiceError).code;
    if (code === Status.UNIMPLEMENTED && this.received) return undefined; // a server without reattach (3.4): done
    const kind = errorClass(error);
    const lost = kind === 'INVALID_HANDLE.OPERATION_NOT_FOUND';
    if (lost && this.received) throw error; // the server forgot an operation it was answering: it restarted
    if (!lost && kind !== 'INVALID_HANDLE.OPERATION_ALREADY_EXISTS' && !isTransient(error)) throw error;
    // the server answered that it never got the ExecutePlan: it is reachable, send it again now
    const waitMs = lost ? 0 : backoff(policyFor(this.session.retry, this.session.health), failures);
    if (waitMs === undefined) {
      this.session.health.down = true; // retries spent: the server is taken as gone until it answers again
      throw error;
    }
    const call = lost ? 'execute again' : 'reattach';
    this.session.onRetry?.({
      call,
      attempt: failures,
      waitMs,
      error: describe(error),
      lastResponseId: this.lastResponseId,
    });
    await pause(waitMs, this.halt.signal).catch(() => {
      throw error;
    });
    return this.open(lost ? 'ExecutePlan' : 'ReattachExecute');
  }

  /** A new stream of the operation: the ExecutePlan itself, or a ReattachExecute after the last response. */
  private open(method: 'ExecutePlan' | 'ReattachExecute'): Stream {
    const { channel } = this.session;
    if (method === 'ExecutePlan')
      return channel.stream(method, messages.executeRequest, messages.executeResponse, this.request);
    const request = { ...this.ids(), last_response_id: this.lastResponseId };
    return channel.stream(method, messages.reattachRequest, messages.executeResponse, request);
  }

  /** Tells the server it may forget the responses up to one, or (no argument) the whole operation. Nothing
   * waits for it and it is not retried: a release that fails leaves the server to expire the operation
   * itself (or ReleaseSession, at close, to free it). */
  private release(until?: { response_id: string }): void {
    const request = { ...this.ids(), ...(until ? { release_until: until } : { release_all: {} }) };
    void this.session.channel
      .unary('ReleaseExecute', messages.releaseExecuteRequest, messages.releaseExecuteResponse, request, {
        timeoutMs: 10_000,
      })
      .catch(() => undefined);
  }

  private ids() {
    const { session_id, user_context, client_type, operation_id } = this.request;
    return { session_id, user_context, client_type, operation_id };
  }
}
