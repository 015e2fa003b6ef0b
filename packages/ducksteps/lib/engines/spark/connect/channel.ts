// One gRPC channel to a Spark Connect server: credentials (TLS, bearer token), metadata and the two call
// shapes the protocol uses (unary, server stream), with our protobufjs codecs as the (de)serializers.
import * as grpc from '@grpc/grpc-js';
import { type Codec, methodPath } from './protocol.js';
import { type ConnectUrl, endpoint } from './url.js';

const DEFAULT_MAX_MESSAGE = 128 * 1024 * 1024; // pyspark's default; grpc-js would refuse > 4 MiB

/** Per-call options: an absolute deadline and an abort signal, both optional. */
export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A live channel; `close()` ends it (calls still running fail with CANCELLED). */
export interface Channel {
  readonly endpoint: string;
  unary<Req, Res>(
    method: Parameters<typeof methodPath>[0],
    req: Codec<Req>,
    res: Codec<Res>,
    value: Req,
    options?: CallOptions,
  ): Promise<Res>;
  stream<Req, Res>(
    method: Parameters<typeof methodPath>[0],
    req: Codec<Req>,
    res: Codec<Res>,
    value: Req,
    options?: CallOptions,
  ): grpc.ClientReadableStream<Res>;
  close(): void;
}

function credentials(url: ConnectUrl): grpc.ChannelCredentials {
  if (!url.useSsl) return grpc.credentials.createInsecure();
  const ssl = grpc.credentials.createSsl();
  if (!url.token) return ssl;
  const bearer = grpc.credentials.createFromMetadataGenerator((_params, done) => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${url.token}`);
    done(null, metadata);
  });
  return grpc.credentials.combineChannelCredentials(ssl, bearer);
}

function metadataOf(url: ConnectUrl): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(url.headers)) metadata.set(key.toLowerCase(), value);
  return metadata;
}

const deadlineOf = (options: CallOptions = {}) =>
  options.timeoutMs ? { deadline: Date.now() + options.timeoutMs } : {};

/** Opens the channel lazily (gRPC connects on the first call). */
export function openChannel(url: ConnectUrl, userAgent: string): Channel {
  const max = url.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
  const client = new grpc.Client(endpoint(url), credentials(url), {
    'grpc.primary_user_agent': userAgent,
    'grpc.max_receive_message_length': max,
    'grpc.max_send_message_length': max,
    // reconnect soon after a dropped connection (gRPC's own default waits 1 s, then up to 2 min): the
    // client's retry policy (retry.ts) decides how long to keep trying
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 5_000,
  });
  const metadata = metadataOf(url);
  return {
    endpoint: endpoint(url),
    unary: (method, req, res, value, options) =>
      new Promise((resolve, reject) => {
        const call = client.makeUnaryRequest(
          methodPath(method),
          req.encode,
          res.decode,
          value,
          metadata.clone(),
          deadlineOf(options),
          (error, response) => (error ? reject(error) : resolve(response!)),
        );
        options?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
      }),
    stream: (method, req, res, value, options) => {
      const call = client.makeServerStreamRequest(
        methodPath(method),
        req.encode,
        res.decode,
        value,
        metadata.clone(),
        deadlineOf(options),
      );
      options?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
      return call;
    },
    close: () => client.close(),
  };
}
