// The Spark Connect connection string, `sc://host:port/;param=value;...` (Spark's documented client
// surface, shared by pyspark, the Scala client and Databricks Connect), and its redaction for logs.
import { randomUUID } from 'node:crypto';

/** A parsed connection string. `headers` are the parameters Spark does not define: sent as gRPC metadata. */
export interface ConnectUrl {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly useSsl: boolean;
  readonly userId?: string;
  readonly userAgent?: string;
  readonly sessionId?: string;
  readonly maxMessageSize?: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The port when the URL names none (Spark Connect's default). */
export const DEFAULT_PORT = 15002;
const SECRET = /token|password|passwd|secret|auth|api[-_]?key/i; // any parameter whose name says it is a credential
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown for a connection string that is not `sc://host[:port][/;k=v…]`; its message never holds a token. */
export class ConnectUrlError extends Error {
  constructor(message: string, url: string) {
    super(`${message}: ${redactUrl(url)} (expected sc://host:port/;param=value, e.g. sc://127.0.0.1:15002)`);
    this.name = 'ConnectUrlError';
  }
}

/** Reads a connection string; a token implies TLS (as in every Spark Connect client). */
export function parseConnectUrl(url: string): ConnectUrl {
  const match = /^sc:\/\/(\[[^\]]+\]|[^/:;]+)(?::(\d+))?(\/.*)?$/.exec(url.trim());
  if (!match) throw new ConnectUrlError('not a Spark Connect URL', url);
  const [, host, portText, rest = ''] = match;
  const port = portText ? Number(portText) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConnectUrlError(`invalid port ${portText}`, url);
  if (rest && !/^\/(;|$)/.test(rest))
    throw new ConnectUrlError('the path must be empty (parameters go after "/;")', url);
  const params: Record<string, string> = {};
  for (const part of rest.slice(1).split(';').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConnectUrlError(`parameter "${part.split('=')[0]}" has no value`, url);
    params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  }
  const { token, use_ssl, user_id, user_agent, session_id, grpc_max_message_size, ...headers } = params;
  if (use_ssl !== undefined && !/^(true|false)$/i.test(use_ssl))
    throw new ConnectUrlError('use_ssl must be true or false', url);
  if (session_id !== undefined && !UUID.test(session_id)) throw new ConnectUrlError('session_id must be a UUID', url);
  return {
    host: host.replace(/^\[|\]$/g, ''),
    port,
    token,
    headers,
    useSsl: token !== undefined || /^true$/i.test(use_ssl ?? ''),
    userId: user_id,
    userAgent: user_agent,
    sessionId: session_id,
    maxMessageSize: grpc_max_message_size ? Number(grpc_max_message_size) : undefined,
  };
}

/** The URL with every secret parameter's value replaced by `***`: safe for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/([;/?&])([^;/?&=]+)=([^;&]*)/g, (whole, sep: string, key: string) =>
    SECRET.test(key) ? `${sep}${key}=***` : whole,
  );
}

/** host:port as errors name the server (IPv6 hosts in brackets). */
export const endpoint = (url: ConnectUrl) => `${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;

/** The session id to use: the URL's, else a new random UUID (what pyspark does). */
export const sessionIdOf = (url: ConnectUrl) => url.sessionId ?? randomUUID();
