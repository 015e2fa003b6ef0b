// The overhead scenarios of issue 16: P12, a small project a person iterates on (3 steps, a few hundred
// rows, 20 assertions), and P13, a heavy 4-step build over 30M generated rows. Each against the same
// rendered SQL in one bare node + DuckDB process (bench/floor.mjs).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataChecksum, ducksteps, floor, syntheticProject } from './scenarios.js';

/** Deletes a side's database (and WAL), so each timed run builds from an empty one. */
const resetDb = (dir: string, db: string) => () =>
  ['', '.wal'].forEach((suffix) => rmSync(join(dir, 'data', `${db}${suffix}`), { force: true }));

/** The floor's plan: every compiled step file in order, then (optionally) every compiled assertion, its rows read. */
function floorPlan(compiledFrom: string, withTests: boolean): object[] {
  const compiled = join(compiledFrom, 'logs', 'compiled');
  const steps = readdirSync(compiled)
    .filter((d) => /^\d/.test(d))
    .sort();
  const plan: object[] = steps.flatMap((step) =>
    readdirSync(join(compiled, step))
      .sort()
      .map((f) => ({ sql: join(compiled, step, f) })),
  );
  if (withTests)
    plan.push(
      ...readdirSync(join(compiled, 'tests'))
        .sort()
        .map((f) => ({ query: join(compiled, 'tests', f) })),
    );
  return plan;
}

const sameTables = async (a: string, b: string) =>
  (await dataChecksum(a, 'data/warehouse.duckdb')) === (await dataChecksum(b, 'data/floor.duckdb'));

/** P12 — a small project: 3 steps over 400 rows and 20 assertions, from an empty database each time. */
export async function p12(root: string) {
  const steps = {
    '01_load': `CREATE OR REPLACE TABLE raw_events AS
SELECT range AS id, 'user_' || (range % 37) AS user_id, (range * 7) % 500 AS amount, DATE '2026-01-01' + (range % 30)::INTEGER AS day
FROM range(400);`,
    '02_clean': 'CREATE OR REPLACE TABLE events AS\nSELECT id, user_id, amount, day FROM raw_events WHERE amount >= 0;',
    '03_summary': `CREATE OR REPLACE TABLE daily AS SELECT day, count(*) AS n, sum(amount) AS revenue FROM events GROUP BY day;
CREATE OR REPLACE TABLE users AS SELECT user_id, count(*) AS n, sum(amount) AS total FROM events GROUP BY user_id;`,
  };
  const kinds = [
    (i: number) => `{{ unique('events', 'id') }} -- ${i}`,
    (i: number) => `{{ not_null('events', ['id', 'user_id']) }} -- ${i}`,
    (i: number) => `SELECT * FROM daily WHERE n <= 0 -- ${i}`,
    (i: number) => `SELECT * FROM users WHERE total < 0 -- ${i}`,
  ];
  const tests = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`t${String(i + 1).padStart(2, '0')}.sql`, kinds[i % 4](i)]),
  );
  const a = syntheticProject(join(root, 'p12a'), steps, tests);
  const b = syntheticProject(join(root, 'p12b'), {});
  await ducksteps(a, []); // renders logs/compiled for the floor's plan
  const plan = floorPlan(a, true);
  writeFileSync(join(b, 'plan.json'), JSON.stringify(plan));
  // the promise's own price: each step in a bare process of its own, one after the other (no overlap)
  const perProcess = [...plan.filter((x) => 'sql' in x).map((x) => [x]), plan.filter((x) => 'query' in x)];
  perProcess.forEach((part, i) => writeFileSync(join(b, `part${i}.json`), JSON.stringify(part)));
  return {
    a: () => ducksteps(a, []),
    b: () => floor(b, ['plan', 'data/floor.duckdb', 'plan.json']),
    prepare: { a: resetDb(a, 'warehouse.duckdb'), b: resetDb(b, 'floor.duckdb') },
    check: () => sameTables(a, b),
    /** One bare process per step and one for the assertions, in sequence: seconds. */
    perProcess: async () => {
      resetDb(b, 'floor.duckdb')();
      const started = performance.now();
      for (const [i] of perProcess.entries()) await floor(b, ['plan', 'data/floor.duckdb', `part${i}.json`]);
      return (performance.now() - started) / 1000;
    },
  };
}

/** P13 — a 4-step build over 30M rows of generated events (and 1M users), read from Parquet. */
export async function p13(root: string, rows: number) {
  const source = join(root, 'p13-source');
  syntheticProject(source, {});
  const pick = (list: string[], salt: number) =>
    `[${list.map((x) => `'${x}'`).join(', ')}][1 + (hash(range * ${salt}) % ${list.length})::INTEGER]`;
  await floor(source, [
    'statement',
    'data/gen.duckdb',
    `COPY (SELECT range AS event_id, (hash(range) % 1000000)::BIGINT AS user_id,
    TIMESTAMP '2026-01-01' + to_seconds((hash(range * 3) % (90 * 86400))::BIGINT) AS ts, ${pick(['view', 'click', 'cart', 'purchase', 'refund'], 5)} AS kind,
    ((hash(range * 7) % 100000) / 100)::DECIMAL(12, 2) AS amount, 'sku-' || (hash(range * 13) % 50000)::VARCHAR AS sku,
    CASE WHEN hash(range * 17) % 100 = 0 THEN NULL ELSE ${pick(['web', 'ios', 'android', 'store'], 19)} END AS channel
    FROM range(${rows})) TO '${join(source, 'events.parquet')}' (FORMAT parquet)`,
  ]);
  await floor(source, [
    'statement',
    'data/gen.duckdb',
    `COPY (SELECT range AS user_id, ${pick(['DE', 'FR', 'US', 'GB', 'NL', 'ES', 'IT', 'PL'], 23)} AS country,
    DATE '2020-01-01' + (hash(range * 29) % 2000)::INTEGER AS signed_up, hash(range * 31) % 3 = 0 AS subscriber
    FROM range(1000000)) TO '${join(source, 'users.parquet')}' (FORMAT parquet)`,
  ]);
  const steps = {
    '01_load': `CREATE OR REPLACE TABLE events AS SELECT * FROM read_parquet('${join(source, 'events.parquet')}');
CREATE OR REPLACE TABLE users AS SELECT * FROM read_parquet('${join(source, 'users.parquet')}');`,
    '02_clean': `CREATE OR REPLACE TABLE clean_events AS
SELECT event_id, user_id, ts, CAST(ts AS DATE) AS day, kind, CASE WHEN kind = 'refund' THEN -amount ELSE amount END AS amount,
       sku, coalesce(channel, 'unknown') AS channel
FROM events WHERE amount > 0;`,
    '03_enrich': `CREATE OR REPLACE TABLE enriched AS
SELECT e.*, u.country, u.subscriber, date_diff('day', u.signed_up, e.day) AS tenure_days
FROM clean_events e JOIN users u USING (user_id);`,
    '04_aggregate': `CREATE OR REPLACE TABLE daily_revenue AS
SELECT day, country, channel, count(*) AS events, sum(amount) FILTER (WHERE kind IN ('purchase', 'refund')) AS revenue
FROM enriched GROUP BY ALL;
CREATE OR REPLACE TABLE user_features AS
SELECT user_id, any_value(country) AS country, count(*) AS events, count(*) FILTER (WHERE kind = 'purchase') AS purchases,
       sum(amount) FILTER (WHERE kind IN ('purchase', 'refund')) AS net_revenue, max(ts) AS last_seen, avg(tenure_days) AS tenure_days
FROM enriched GROUP BY user_id;`,
  };
  const a = syntheticProject(join(root, 'p13a'), steps);
  const b = syntheticProject(join(root, 'p13b'), {});
  await ducksteps(a, []);
  writeFileSync(join(b, 'plan.json'), JSON.stringify(floorPlan(a, false)));
  return {
    a: () => ducksteps(a, []),
    b: () => floor(b, ['plan', 'data/floor.duckdb', 'plan.json']),
    prepare: { a: resetDb(a, 'warehouse.duckdb'), b: resetDb(b, 'floor.duckdb') },
    check: () => sameTables(a, b),
  };
}
