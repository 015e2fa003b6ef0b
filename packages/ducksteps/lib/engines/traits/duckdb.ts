// DuckDB's descriptor (engines/traits.ts): a DuckDB file or a DuckLake, opened in each worker.
import type { EngineTraits } from '../traits.js';

export const duckdbTraits = {
  name: 'duckdb' as const,
  title: 'DuckDB',
  runsOn: 'duckdb runs on a DuckDB file or a DuckLake (--db)',
  recordsChanges: true,
  batchGates: true,
  defers: true,
  parsesLocally: true,
  readsNeedLock: true,
  queriesOnly: false,
  preparesEveryRun: false,
  prepareFailure: {
    what: 'cannot create or attach the DuckLake',
    hint: 'check the --db ducklake:… string and --data-path; the ducklake (and, for a PostgreSQL catalog, postgres_scanner) extension must be installable or in DUCKSTEPS_EXTENSION_DIR (docs/scale.md)',
  },
  quote: (name: string) => `"${name.replaceAll('"', '""')}"`,
  tempView: (name: string) => `temp.${name}`,
  unionAll: 'UNION ALL BY NAME',
  sqlErrorHints: [],
} satisfies EngineTraits;
