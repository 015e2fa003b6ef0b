// A Spark Connect session: run SQL as pyspark's spark.sql() does (a SqlCommand executes DDL/DML eagerly and
// hands back a relation; a query's relation is then collected), stream a result's Arrow batches, interrupt,
// and release the session.
import { userInfo } from 'node:os';
import type { RecordBatch, Schema } from 'apache-arrow';
import { type Column, type Row, columnsOf, decodeIpc, rowsOf } from './arrow.js';
import { type Channel, openChannel } from './channel.js';
import { transportError } from './errors.js';
import { type OperationOptions, type SessionContext, executePlan } from './execute.js';
import { type MetricObject, messages } from './protocol.js';
import { type ConnectUrl, parseConnectUrl, redactUrl, sessionIdOf } from './url.js';
import type { ServiceError } from '@grpc/grpc-js';
import { CONNECT_RETRIES, DEFAULT_RETRY, type RetryEvent, type RetryPolicy, withRetries } from './retry.js';

/** Options of connect(): who we are (sent as client_type and gRPC user agent), the user id when the URL has
 * none, the retry policy of every call (default DEFAULT_RETRY; connect() itself tries for about 2 s) and a
 * listener told of each retry. */
export interface ConnectOptions {
  readonly userAgent?: string;
  readonly userId?: string;
  readonly retry?: Partial<RetryPolicy>;
  readonly onRetry?: (event: RetryEvent) => void;
}

/** Options of sql() and stream(): at most `limit` rows (Spark stops early), plus cancellation and timeout. */
export interface SqlOptions extends OperationOptions {
  readonly limit?: number;
}

/** One statement's outcome. `kind` 'command' for DDL/DML/SHOW (their output, often no rows), else 'query'. */
export interface SqlResult {
  readonly kind: 'query' | 'command';
  readonly columns: Column[];
  readonly rows: Row[];
  readonly rowCount: number;
  readonly metrics: MetricObject[]; // Spark's per-plan-node metrics of the statement (see README: no DML counts)
}

/** A batch of a streamed result, with the statement's kind and columns. */
export interface ResultBatch {
  readonly kind: 'query' | 'command';
  readonly columns: Column[];
  readonly batch: RecordBatch;
}

/** A connected session; one per engine worker. Methods may run concurrently on one session. */
export class SparkConnect {
  private constructor(
    private readonly context: SessionContext,
    readonly url: string,
    readonly sparkVersion: string,
  ) {}

  /** The session id the server knows this session by (Spark's UI and logs show it). */
  get sessionId(): string {
    return this.context.session_id;
  }

  /** Opens a session and checks the server answers (asks its Spark version); connection errors surface here. */
  static async connect(url: string, options: ConnectOptions & OperationOptions = {}): Promise<SparkConnect> {
    const parsed: ConnectUrl = parseConnectUrl(url);
    const clientType = `${options.userAgent ?? 'ducksteps'} spark-connect-ts node/${process.versions.node}`;
    const channel: Channel = openChannel(parsed, parsed.userAgent ?? clientType);
    const context: SessionContext = {
      channel,
      session_id: sessionIdOf(parsed),
      client_type: clientType,
      user_context: { user_id: options.userId ?? parsed.userId ?? userInfo().username },
      retry: { ...DEFAULT_RETRY, ...options.retry },
      onRetry: options.onRetry,
      health: { down: false },
    };
    const ask = () =>
      channel.unary(
        'AnalyzePlan',
        messages.analyzeRequest,
        messages.analyzeResponse,
        { ...baseOf(context), spark_version: {} },
        { timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal },
      );
    try {
      const policy = { ...context.retry, maxRetries: Math.min(CONNECT_RETRIES, context.retry.maxRetries) };
      const response = await withRetries(policy, 'AnalyzePlan', ask, options);
      return new SparkConnect(context, redactUrl(url), response.spark_version?.version ?? 'unknown');
    } catch (error) {
      channel.close();
      throw transportError(error as ServiceError, channel.endpoint, Boolean(options.signal?.aborted)) ?? error;
    }
  }

  /** Runs one statement and returns its rows (at most `limit`); DDL and DML have run when it resolves. */
  async sql(text: string, options: SqlOptions = {}): Promise<SqlResult> {
    const rows: Row[] = [];
    const metrics: MetricObject[] = [];
    let columns: Column[] = [];
    let kind: SqlResult['kind'] = 'command';
    for await (const part of this.statement(text, options, metrics)) {
      ({ kind, columns } = part);
      rows.push(...rowsOf(part.batch, (options.limit ?? Infinity) - rows.length));
    }
    return { kind, columns, rows, rowCount: rows.length, metrics };
  }

  /** Runs one statement and yields its result batch by batch, never holding more than one. */
  stream(text: string, options: SqlOptions = {}): AsyncIterable<ResultBatch> {
    return this.statement(text, options, []);
  }

  /** Interrupts every operation running in this session; returns the ids Spark stopped. */
  async interrupt(options: OperationOptions = {}): Promise<string[]> {
    const call = () =>
      this.context.channel.unary(
        'Interrupt',
        messages.interruptRequest,
        messages.interruptResponse,
        { ...baseOf(this.context), interrupt_type: 'INTERRUPT_TYPE_ALL' },
        { timeoutMs: options.timeoutMs ?? 30_000, signal: options.signal },
      );
    const response = await withRetries(this.context.retry, 'Interrupt', call, {
      ...options,
      onRetry: this.context.onRetry,
      health: this.context.health,
    });
    return response.interrupted_ids ?? [];
  }

  /** Releases the session on the server (its temp views go) and closes the channel; never throws. */
  async close(): Promise<void> {
    await this.context.channel
      .unary('ReleaseSession', messages.releaseRequest, messages.releaseResponse, baseOf(this.context), {
        timeoutMs: 5_000,
      })
      .catch(() => undefined);
    this.context.channel.close();
  }

  /** The SqlCommand, then (for a query) the collect of its relation, as batches. */
  private async *statement(text: string, options: SqlOptions, metrics: MetricObject[]): AsyncGenerator<ResultBatch> {
    let relation: Buffer | undefined;
    for await (const response of executePlan(
      this.context,
      { command: { sql_command: { sql: text } } },
      text,
      options,
    )) {
      relation ??= response.sql_command_result?.relation;
      metrics.push(...(response.metrics?.metrics ?? []));
    }
    if (!relation) throw new Error(`Spark Connect sent no result for the statement (${this.url})`);
    const local = messages.relation.decode(relation).local_relation;
    if (local) {
      yield* localBatches(local.data, options.limit);
      return;
    }
    const root =
      options.limit === undefined
        ? relation
        : messages.relation.encode({ limit: { input: relation, limit: options.limit } });
    let schema: Schema | undefined;
    for await (const response of executePlan(this.context, { root }, text, options)) {
      metrics.push(...(response.metrics?.metrics ?? []));
      if (!response.arrow_batch?.data) continue;
      const decoded = decodeIpc(response.arrow_batch.data);
      schema ??= decoded.schema;
      for (const batch of decoded.batches) yield { kind: 'query', columns: columnsOf(schema), batch };
    }
  }
}

const baseOf = (c: SessionContext) => ({
  session_id: c.session_id,
  user_context: c.user_context,
  client_type: c.client_type,
});

/** A command's output, which Spark returns inline as an Arrow LocalRelation (empty for most DDL/DML). */
function* localBatches(data: Buffer | undefined, limit = Infinity): Generator<ResultBatch> {
  if (!data?.length || limit <= 0) return;
  const { schema, batches } = decodeIpc(data);
  for (const batch of batches) yield { kind: 'command', columns: columnsOf(schema), batch };
}
