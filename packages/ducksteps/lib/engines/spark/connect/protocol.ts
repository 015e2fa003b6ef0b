// The wire messages of the client: our .proto subset (proto/) loaded once with protobufjs, typed as plain
// objects. protobufjs directly (not @grpc/proto-loader): we encode a Relation to bytes on its own (it travels
// opaque inside Plan.root and Limit.input) and decode google.rpc.Status from a trailer, which proto-loader's
// per-method serializers cannot do; grpc-js only needs a serialize/deserialize pair per method.
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The proto/ folder: beside this file (sources run by tsx) or, from the package's dist/, the same folder in
 * lib/ (the package ships lib/engines/spark/connect/proto/ for this). */
function protoDir(): string {
  const here = join(dirname(fileURLToPath(import.meta.url)), 'proto');
  if (existsSync(here)) return here;
  const marker = `${sep}dist${sep}`;
  const at = here.lastIndexOf(marker);
  const source = `${here.slice(0, at)}${sep}lib${sep}${here.slice(at + marker.length)}`;
  if (at >= 0 && existsSync(source)) return source;
  throw new Error(`the Spark Connect .proto files are missing (looked in ${here} and ${source})`);
}

const root = new protobuf.Root().loadSync(
  ['spark-connect.proto', 'google-rpc.proto'].map((f) => join(protoDir(), f)),
  { keepCase: true },
);
const type = (name: string) => root.lookupType(name);
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: false,
  oneofs: false,
};

/** A message type as a pair of functions on plain objects (int64 fields become numbers). */
export interface Codec<T> {
  encode(value: T): Buffer;
  decode(bytes: Uint8Array): T;
}

function codec<T>(name: string): Codec<T> {
  const t = type(name);
  return {
    encode: (value) => Buffer.from(t.encode(t.fromObject(value as object)).finish()),
    decode: (bytes) => t.toObject(t.decode(bytes), TO_OBJECT) as T,
  };
}

/** Who runs the session (UserContext): the server keys sessions by user id + session id. */
export interface UserContext {
  user_id: string;
  user_name?: string;
}
interface SessionFields {
  session_id: string;
  user_context: UserContext;
  client_type?: string;
}

/** The relations we build or peek into: a SQL text, a Limit over an opaque relation, a command's inline rows. */
export interface Relation {
  sql?: { query: string };
  limit?: { input: Uint8Array; limit: number };
  local_relation?: { data?: Buffer; schema?: string };
}
/** ExecutePlan's request: a plan (an opaque root relation or a SqlCommand) under our own operation id,
 * reattachable (request_options) so a broken stream can be resumed. */
export interface ExecutePlanRequest extends SessionFields {
  plan: { root?: Uint8Array; command?: { sql_command: { sql: string } } };
  operation_id?: string;
  tags?: string[];
  request_options?: { reattach_options: { reattachable: boolean } }[];
}
/** ReattachExecute: the responses of a running (or finished, unreleased) operation after `last_response_id`. */
export interface ReattachExecuteRequest extends SessionFields {
  operation_id: string;
  last_response_id?: string;
}
/** ReleaseExecute: the server may forget the responses up to one (release_until), or the whole operation. */
export interface ReleaseExecuteRequest extends SessionFields {
  operation_id: string;
  release_all?: object;
  release_until?: { response_id: string };
}
/** One plan node's metrics, as ExecutePlanResponse.metrics reports them. */
export interface MetricObject {
  name: string;
  plan_id?: number;
  parent?: number;
  execution_metrics?: Record<string, { name: string; value?: number; metric_type?: string }>;
}
/** One message of ExecutePlan's stream: an Arrow batch, the SqlCommand's result, or metrics. */
export interface ExecutePlanResponse {
  session_id: string;
  operation_id?: string;
  response_id?: string;
  server_side_session_id?: string;
  arrow_batch?: { row_count?: number; data?: Buffer; start_offset?: number };
  sql_command_result?: { relation?: Buffer };
  result_complete?: object;
  metrics?: { metrics?: MetricObject[] };
}
/** AnalyzePlan asking for the Spark version: the cheap call connect() checks the server with. */
export interface AnalyzePlanRequest extends SessionFields {
  spark_version: object;
}
/** The version answer. */
export interface AnalyzePlanResponse {
  spark_version?: { version?: string };
  server_side_session_id?: string;
}
/** Interrupt: all of a session's operations, or one by operation id or tag. */
export interface InterruptRequest extends SessionFields {
  interrupt_type: 'INTERRUPT_TYPE_ALL' | 'INTERRUPT_TYPE_TAG' | 'INTERRUPT_TYPE_OPERATION_ID';
  operation_tag?: string;
  operation_id?: string;
}
/** The ids of the operations Spark stopped. */
export interface InterruptResponse {
  interrupted_ids?: string[];
}
/** ReleaseSession: ends the server-side session (close()). */
export type ReleaseSessionRequest = SessionFields;
/** FetchErrorDetails for the errorId of a failed call's ErrorInfo. */
export interface FetchErrorDetailsRequest extends SessionFields {
  error_id: string;
}
/** Where in the statement Spark points: 0-based offsets and the fragment. */
export interface QueryContext {
  object_type?: string;
  object_name?: string;
  start_index?: number;
  stop_index?: number;
  fragment?: string;
}
/** One error of FetchErrorDetails (the root one names the error class and query context). */
export interface ErrorDetail {
  error_type_hierarchy?: string[];
  message?: string;
  cause_idx?: number;
  spark_throwable?: {
    error_class?: string;
    message_parameters?: Record<string, string>;
    query_contexts?: QueryContext[];
    sql_state?: string;
  };
}
/** The errors of a failure, cause chain by index. */
export interface FetchErrorDetailsResponse {
  root_error_idx?: number;
  errors?: ErrorDetail[];
}
/** google.rpc.Status of the `grpc-status-details-bin` trailer. */
export interface RpcStatus {
  code?: number;
  message?: string;
  details?: { type_url: string; value: Buffer }[];
}
/** google.rpc.ErrorInfo: exception class, errorClass, sqlState, messageParameters, errorId. */
export interface ErrorInfo {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
}

/** Every message the client sends or reads, by role. */
export const messages = {
  relation: codec<Relation>('spark.connect.Relation'),
  executeRequest: codec<ExecutePlanRequest>('spark.connect.ExecutePlanRequest'),
  executeResponse: codec<ExecutePlanResponse>('spark.connect.ExecutePlanResponse'),
  analyzeRequest: codec<AnalyzePlanRequest>('spark.connect.AnalyzePlanRequest'),
  analyzeResponse: codec<AnalyzePlanResponse>('spark.connect.AnalyzePlanResponse'),
  interruptRequest: codec<InterruptRequest>('spark.connect.InterruptRequest'),
  interruptResponse: codec<InterruptResponse>('spark.connect.InterruptResponse'),
  reattachRequest: codec<ReattachExecuteRequest>('spark.connect.ReattachExecuteRequest'),
  releaseExecuteRequest: codec<ReleaseExecuteRequest>('spark.connect.ReleaseExecuteRequest'),
  releaseExecuteResponse: codec<object>('spark.connect.ReleaseExecuteResponse'),
  releaseRequest: codec<ReleaseSessionRequest>('spark.connect.ReleaseSessionRequest'),
  releaseResponse: codec<object>('spark.connect.ReleaseSessionResponse'),
  errorDetailsRequest: codec<FetchErrorDetailsRequest>('spark.connect.FetchErrorDetailsRequest'),
  errorDetailsResponse: codec<FetchErrorDetailsResponse>('spark.connect.FetchErrorDetailsResponse'),
  status: codec<RpcStatus>('google.rpc.Status'),
  errorInfo: codec<ErrorInfo>('google.rpc.ErrorInfo'),
};

/** The gRPC path of a SparkConnectService method. */
export const methodPath = (
  name:
    | 'ExecutePlan'
    | 'ReattachExecute'
    | 'ReleaseExecute'
    | 'AnalyzePlan'
    | 'Interrupt'
    | 'ReleaseSession'
    | 'FetchErrorDetails',
) => `/spark.connect.SparkConnectService/${name}`;
