// Arrow batches as Spark sends them (IPC stream: schema + record batch) into plain JS rows and Spark SQL
// type names. Values follow the DuckDB wrapper's habits: BIGINT a number when it fits (else a string),
// DECIMAL an exact string, DATE 'YYYY-MM-DD', TIMESTAMP an ISO text to the microsecond ('Z' when zoned).
import { type DataType, type Field, type RecordBatch, type Schema, Type, tableFromIPC } from 'apache-arrow';

/** A result column: its name and Spark's type name (`bigint`, `decimal(10,2)`, `array<int>`, …). */
export interface Column {
  readonly name: string;
  readonly type: string;
}
/** A result row: column name to plain JS value. */
export type Row = Record<string, unknown>;

const SIMPLE: Partial<Record<Type, string>> = {
  [Type.Bool]: 'boolean',
  [Type.Utf8]: 'string',
  [Type.LargeUtf8]: 'string',
  [Type.Binary]: 'binary',
  [Type.LargeBinary]: 'binary',
  [Type.Null]: 'void',
  [Type.Date]: 'date',
  [Type.Duration]: 'interval day to second',
};
const INTS: Record<number, string> = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' };

/** Spark's name for an Arrow type (the reverse of Spark's ArrowUtils mapping). */
export function sparkType(type: DataType): string {
  const t = type as DataType & { bitWidth?: number; precision?: number; scale?: number; timezone?: string | null };
  if (SIMPLE[type.typeId]) return SIMPLE[type.typeId]!;
  switch (type.typeId) {
    case Type.Int:
      return INTS[t.bitWidth!] ?? String(type);
    case Type.Float:
      return (type as DataType & { precision: number }).precision === 1 ? 'float' : 'double';
    case Type.Decimal:
      return `decimal(${t.precision},${t.scale})`;
    case Type.Timestamp:
      return t.timezone ? 'timestamp' : 'timestamp_ntz';
    case Type.Interval:
      return 'interval year to month';
    case Type.List:
      return `array<${sparkType(type.children[0].type)}>`;
    case Type.Map: {
      const [key, value] = type.children[0].type.children as Field[];
      return `map<${sparkType(key.type)},${sparkType(value.type)}>`;
    }
    case Type.Struct:
      return `struct<${type.children.map((f: Field) => `${f.name}:${sparkType(f.type)}`).join(',')}>`;
    default:
      return String(type).toLowerCase();
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateText = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** Epoch milliseconds with a microsecond fraction (as apache-arrow returns TIMESTAMP(us)) to ISO text. */
function timestampText(ms: number, zoned: boolean): string {
  const whole = Math.floor(ms);
  const micros = Math.round((ms - whole) * 1000) + (((whole % 1000) + 1000) % 1000) * 1000;
  const d = new Date(whole);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${dateText(d)}T${time}${micros ? `.${pad(micros, 6)}` : ''}${zoned ? 'Z' : ''}`;
}

/** 128-bit two's-complement little-endian words to an exact decimal text with `scale` digits. */
function decimalText(words: Uint32Array, scale: number): string {
  let n = 0n;
  for (let i = words.length - 1; i >= 0; i--) n = (n << 32n) | BigInt(words[i]);
  if (words.length && words[words.length - 1] & 0x80000000) n -= 1n << BigInt(32 * words.length);
  const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return n < 0n ? `-${text}` : text;
}

type Convert = (value: unknown) => unknown;

/** The converter of one Arrow type to plain JS values (built once per column, applied per value). */
export function converter(type: DataType): Convert {
  const t = type as DataType & { scale?: number; timezone?: string | null };
  const orNull =
    (fn: Convert): Convert =>
    (v) =>
      v === null || v === undefined ? null : fn(v);
  switch (type.typeId) {
    case Type.Int:
      return orNull((v) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v));
    case Type.Decimal:
      return orNull((v) => decimalText(v as Uint32Array, t.scale ?? 0));
    case Type.Date:
      return orNull((v) => dateText(new Date(v as number)));
    case Type.Timestamp:
      return orNull((v) => timestampText(v as number, Boolean(t.timezone)));
    case Type.Duration:
      return orNull((v) => (typeof v === 'bigint' ? Number(v) : v)); // microseconds
    case Type.List: {
      const item = converter(type.children[0].type);
      return orNull((v) => Array.from(v as Iterable<unknown>, item));
    }
    case Type.Struct:
    case Type.Map:
      return orNull((v) => plainObject(v, type));
    default:
      return (v) => v ?? null;
  }
}

/** A struct row or a map as a plain object, its values converted by their own types. */
function plainObject(value: unknown, type: DataType): Row {
  const out: Row = {};
  if (type.typeId === Type.Map) {
    const convert = converter((type.children[0].type.children as Field[])[1].type);
    for (const [key, v] of value as Iterable<[unknown, unknown]>) out[String(key)] = convert(v);
    return out;
  }
  for (const field of type.children as Field[]) out[field.name] = converter(field.type)((value as Row)[field.name]);
  return out;
}

/** The columns of a schema, in order. */
export const columnsOf = (schema: Schema): Column[] =>
  schema.fields.map((f) => ({ name: f.name, type: sparkType(f.type) }));

/** The rows of one record batch as plain objects (at most `limit`). */
export function rowsOf(batch: RecordBatch, limit = Infinity): Row[] {
  const fields = batch.schema.fields;
  const columns = fields.map((f, i) => ({ name: f.name, vector: batch.getChildAt(i)!, convert: converter(f.type) }));
  const rows: Row[] = [];
  for (let r = 0; r < batch.numRows && rows.length < limit; r++) {
    const row: Row = {};
    for (const c of columns) row[c.name] = c.convert(c.vector.get(r));
    rows.push(row);
  }
  return rows;
}

/** The schema and record batches of one Arrow IPC stream (Spark sends one batch per message). */
export function decodeIpc(bytes: Uint8Array): { schema: Schema; batches: RecordBatch[] } {
  const table = tableFromIPC(bytes);
  return { schema: table.schema, batches: table.batches };
}
