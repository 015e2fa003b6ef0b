// What a PostgreSQL failure during a publish means for the user: the server cannot be reached, the
// connection died mid-delivery (the server stopped), a lock held by a reader outlasted publishTimeout, a
// statement outlasted it. Each becomes one message with a hint; anything else is passed on as PostgreSQL
// said it.

export interface PgErrorContext {
  readonly url: string; // redacted
  readonly variable: string;
  readonly table: string; // as the header wrote it
  readonly timeoutMs: number;
}

const CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE']);

const seconds = (ms: number) => (ms < 60_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 6000) / 10} min`);
const hinted = (message: string, hint: string) => Object.assign(new Error(message), { hint });

/** The error to report for a failed delivery; `lost`: the error the connection itself ended with, if any. */
export function explainPgError(
  error: unknown,
  lost: Error | undefined,
  context: PgErrorContext,
): Error & { hint?: string } {
  const err = error as Error & { code?: string; hint?: string };
  const text = err?.message ?? String(error);
  if (err?.hint) return err;
  if (err?.code && CONNECT.has(err.code))
    return hinted(
      `cannot connect to PostgreSQL (${err.code}) at ${context.url}`,
      `check that the server runs and ${context.variable} is right`,
    );
  if (/connection timeout|timeout expired/i.test(text) && !lost) {
    return hinted(
      `cannot connect to PostgreSQL at ${context.url}: no answer within ${seconds(context.timeoutMs)} (publishTimeout)`,
      `check that the server runs and ${context.variable} is right, or raise publishTimeout`,
    );
  }
  if (err?.code === '55P03') {
    return hinted(
      `${context.table} is locked by another session: waited ${seconds(context.timeoutMs)} (publishTimeout) for it`,
      'a reader or writer holds a lock on the table (an open transaction, a long query); find it with SELECT pid, state, query FROM pg_stat_activity, or raise publishTimeout (--publish-timeout); nothing was published to this target',
    );
  }
  if (err?.code === '57014') {
    return hinted(
      `a statement of the delivery ran longer than ${seconds(context.timeoutMs)} (publishTimeout) and PostgreSQL cancelled it`,
      'raise publishTimeout (--publish-timeout) for a table this large; nothing was published to this target',
    );
  }
  if (
    lost ||
    (err?.code && LOST.has(err.code)) ||
    /Connection terminated|terminating connection|server closed the connection/i.test(text)
  ) {
    const why = (lost ?? err)?.message?.split('\n')[0] ?? 'connection ended';
    return hinted(
      `the connection to PostgreSQL was lost during the delivery (${why})`,
      'nothing was published to this target: PostgreSQL rolls back a transaction whose connection ends; when the server is back, ./run.sh --resume publishes again',
    );
  }
  return err instanceof Error ? err : new Error(text);
}
