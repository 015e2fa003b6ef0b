// Spark's descriptor (engines/traits.ts): the steps run on a cluster through Spark Connect (engines/spark/),
// the batch ledger in a DuckDB store (--db).
import type { EngineTraits } from '../traits.js';

export const sparkTraits = {
  name: 'spark' as const,
  title: 'Spark',
  runsOn: 'spark on a cluster (docs/scale.md)',
  recordsChanges: false, // ducksteps cannot tell a cluster's tables are unchanged
  batchGates: false,
  defers: false, // a Spark session has no way to attach another warehouse
  parsesLocally: false, // no parser here knows Spark SQL: statements are checked as they run
  readsNeedLock: false, // the cluster's tables are views switched when a step commits
  queriesOnly: true,
  preparesEveryRun: true, // every name is set to its last committed version, uncommitted versions dropped
  prepareFailure: {
    what: 'cannot prepare the Spark warehouse',
    hint: 'check that the Spark Connect server runs and DUCKSTEPS_SPARK_URL is right (sc://host:15002); the ledger store (--db) must be writable',
  },
  quote: (name: string) => `\`${name.replaceAll('`', '``')}\``,
  tempView: (name: string) => name, // a session's temporary view has no `temp.` schema
  unionAll: 'UNION ALL', // lines the branches up by position: the same columns in the same order
  sqlErrorHints: [
    [
      /^\[(PARSE_SYNTAX_ERROR|PARSE_EMPTY_STATEMENT)/,
      'check the Spark SQL syntax at that line (a .spark.sql file beside a DuckDB one runs on Spark: docs/scale.md)',
    ],
    [
      /^\[(TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND)/,
      'check the name; if an earlier step should create it, check that step ran (steps run in number order)',
    ],
    [
      /^\[(UNRESOLVED_COLUMN|UNRESOLVED_ROUTINE)/,
      'check column and function names at that line: Spark SQL is not DuckDB SQL (write a .spark.sql variant of the file)',
    ],
  ],
  cluster: {
    urlEnv: 'DUCKSTEPS_SPARK_URL',
    urlHint: 'export DUCKSTEPS_SPARK_URL=sc://host:15002 (Databricks: sc://…:443/;token=…), see docs/scale.md',
    home: { catalog: 'spark_catalog', schema: 'default', catalogs: ['spark_catalog'], reset: 'spark_catalog' },
    namespace: (url: string) => {
      const at = new URL(url.replace(/^sc:/, 'http:').split(';')[0]);
      return `spark://${at.hostname}:${at.port || '15002'}`;
    },
    unreachableHint: 'start the cluster or its Connect server, or correct DUCKSTEPS_SPARK_URL (docs/scale.md)',
    helpLines:
      "  --engine spark        run the steps on the Spark cluster DUCKSTEPS_SPARK_URL names (sc://host:15002);\n                        --db then names the ledger's store (docs/scale.md)",
  },
} satisfies EngineTraits;
