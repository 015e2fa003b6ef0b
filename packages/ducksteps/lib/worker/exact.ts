// Inside the worker: whether a fixture's text survives the cast to its column's type exactly. DuckDB's casts
// round and truncate silently — '12.39' is an INTEGER 12, '2.5' a 3, '12.345' a DECIMAL(10,2) 12.35,
// '2024-01-01 13:45:00' a DATE 2024-01-01, an offset dropped from a TIMESTAMP — so a test spelling out the
// right answer would pass on the very truncation it was written to catch. A given value that does not survive
// is an error at its line; an expected one equals nothing (fixture-tables.ts, compare.ts).

const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const DECIMAL = /^DECIMAL\(\d+,\s*(\d+)\)$/;
/** Types whose values all fit in a TIMESTAMP_NS, which keeps everything the text says (but an offset). */
const TEMPORAL = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS']);

/** SQL true where the text in `column` (an SQL expression) would not survive the cast to `type` exactly;
 * undefined for a type that keeps every text it accepts (VARCHAR, DOUBLE, BOOLEAN, …). */
export function lossy(column: string, type: string): string | undefined {
  const decimal = type.match(DECIMAL);
  const scale = INTEGER.test(type) ? 0 : decimal ? Number(decimal[1]) : undefined;
  if (scale !== undefined)
    return (
      `(length(regexp_extract(trim(${column}), '^[+-]?[0-9]*\\.([0-9]*[1-9])0*$', 1)) > ${scale}` +
      ` OR (regexp_matches(${column}, '[eE]') AND TRY_CAST(${column} AS ${type}) <> TRY_CAST(${column} AS DOUBLE)))`
    );
  if (TEMPORAL.has(type))
    return `TRY_CAST(TRY_CAST(${column} AS ${type}) AS TIMESTAMP_NS) IS DISTINCT FROM TRY_CAST(${column} AS TIMESTAMP_NS)`;
  return undefined;
}
