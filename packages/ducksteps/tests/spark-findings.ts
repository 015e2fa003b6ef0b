// Re-measures the findings in lib/engines/spark/connect/README.md on a fresh test cluster (not a tap test:
// it prints figures and behaviours). node --import tsx tests/framework/spark-findings.ts [sc://… to reuse one]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SparkConnect, type SparkConnectError } from '../lib/engines/spark/connect/index.js';
import { type SparkCluster, startSparkCluster } from './spark-cluster.js';

const cluster: SparkCluster | undefined = process.argv[2] ? undefined : await startSparkCluster();
const url = process.argv[2] ?? cluster!.url;
if (cluster) {
  const rss = execFileSync('bash', [
    '-c',
    'ps -eo rss,args | grep "[j]ava" | grep ducksteps-spark- | awk \'{s+=$1} END {print int(s/1024)}\'',
  ])
    .toString()
    .trim();
  console.log(`(f) cluster start ${(cluster.startMs / 1000).toFixed(1)} s; RSS of its JVMs after start ${rss} MB`);
}
const s = await SparkConnect.connect(url, { userAgent: 'ducksteps-findings' });
const ms = async (sql: string) => {
  const t0 = performance.now();
  await s.sql(sql);
  return performance.now() - t0;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tryRun = async (sql: string) =>
  s.sql(sql).then(
    (r) => `ok ${JSON.stringify(r.rows).slice(0, 200)}`,
    (e: SparkConnectError & { errorClass?: string }) =>
      `ERROR ${e.errorClass ?? e.name}: ${e.message.split('\n')[0].slice(0, 200)}`,
  );

// (a) latency
const first = await ms('SELECT 1');
await ms('CREATE TABLE IF NOT EXISTS warm USING parquet AS SELECT 1 AS x');
const selects = [];
for (let i = 0; i < 10; i++) selects.push(await ms('SELECT 1'));
const ctas = [];
for (let i = 0; i < 5; i++) {
  ctas.push(await ms(`CREATE TABLE small_${i} USING parquet AS SELECT id, id % 7 AS k FROM range(1000)`));
}
const drops = [];
for (let i = 0; i < 5; i++) drops.push(await ms(`DROP TABLE small_${i}`));
console.log(
  `(b) CREATE OR REPLACE TABLE … AS SELECT: ${await tryRun('CREATE OR REPLACE TABLE small_0 USING parquet AS SELECT 1 AS x')}`,
);
await s.sql("CREATE TABLE big USING parquet AS SELECT id, id % 97 AS k, repeat('x', 20) AS pad FROM range(5000000)");
const counts = [];
for (let i = 0; i < 3; i++) counts.push(await ms('SELECT count(*) FROM big'));
console.log(
  `(a) SELECT 1: first ${first.toFixed(0)} ms, then median ${median(selects).toFixed(0)} ms (min ${Math.min(...selects).toFixed(0)});` +
    ` CTAS 1000 rows median ${median(ctas).toFixed(0)} ms; DROP TABLE median ${median(drops).toFixed(0)} ms; count(*) of 5M-row parquet median ${median(counts).toFixed(0)} ms`,
);
const ins = await s.sql("INSERT INTO big SELECT id, 0, 'y' FROM range(10)");
console.log(`    INSERT metrics: ${JSON.stringify(ins.metrics)}`);

// (b) view swap atomicity, rename, drop
await s.sql('CREATE TABLE t_v1 USING parquet AS SELECT 1 AS version FROM range(1000)');
await s.sql('CREATE TABLE t_v2 USING parquet AS SELECT 2 AS version FROM range(1000)');
await s.sql('CREATE OR REPLACE VIEW v AS SELECT * FROM t_v1');
for (const swap of ['CREATE OR REPLACE VIEW v AS', 'ALTER VIEW v AS']) {
  const reader = await SparkConnect.connect(url);
  let swapping = true;
  const seen = new Map<string, number>();
  const readLoop = (async () => {
    while (swapping) {
      const r = await reader.sql('SELECT min(version) AS lo, max(version) AS hi, count(*) AS n FROM v').then(
        (x) => JSON.stringify(x.rows[0]),
        (e: Error) => `ERROR ${e.message.slice(0, 40)}`,
      );
      seen.set(r, (seen.get(r) ?? 0) + 1);
    }
  })();
  const t0 = performance.now();
  for (let i = 0; i < 60; i++) await s.sql(`${swap} SELECT * FROM t_v${(i % 2) + 1}`);
  const per = (performance.now() - t0) / 60;
  swapping = false;
  await readLoop;
  await reader.close();
  console.log(
    `(b) 60 × "${swap} …" (${per.toFixed(0)} ms each) under a reader looping on v: ${JSON.stringify([...seen])}`,
  );
}
await s.sql('DROP TABLE IF EXISTS t_renamed');
console.log(
  `    ALTER TABLE t_v2 RENAME TO t_renamed: ${await tryRun('ALTER TABLE t_v2 RENAME TO t_renamed')}; reading view v (may point to t_v2): ${await tryRun('SELECT count(*) FROM v')}`,
);
const described = await s.sql('DESCRIBE TABLE EXTENDED t_renamed');
console.log(`    its Location after the rename: ${described.rows.find((r) => r.col_name === 'Location')?.data_type}`);

// (c) landing CSV files by explicit paths, names with glob characters
const landing = join(cluster?.dir ?? '/tmp', 'landing');
mkdirSync(landing, { recursive: true });
const files = ['plain.csv', 'star*.csv', 'q?.csv', 'br[1].csv', 'sp ace.csv'];
files.forEach((f, i) => writeFileSync(join(landing, f), `id,name\n${i},${f}\n`));
writeFileSync(join(landing, 'other.csv'), 'id,name\n99,other\n');
const lit = (p: string) => `'${p.replace(/'/g, "\\'")}'`;
for (const f of files) {
  const path = join(landing, f);
  console.log(
    `(c) ${f}: csv.\`path\` ${await tryRun(`SELECT _c1 FROM csv.\`${path}\``)}; temp view with __globPaths__ 'false': ${await tryRun(`CREATE OR REPLACE TEMPORARY VIEW one (id STRING, name STRING) USING csv OPTIONS (path ${lit(path)}, header 'true', __globPaths__ 'false')`)} -> ${await tryRun('SELECT name FROM one')}`,
  );
}
const escapeGlob = (name: string) => name.replace(/[\\*?[\]{},]/g, (c) => `\\${c}`);
const alternation = `${landing}/{${[...files, 'missing.csv'].map(escapeGlob).join(',')}}`;
console.log(
  `    one glob {a,b,…} of escaped names (raw literal r'…'), one name missing: ${await tryRun(`CREATE OR REPLACE TEMPORARY VIEW many (id STRING, name STRING) USING csv OPTIONS (path r'${alternation}', header 'true')`)} -> ${await tryRun('SELECT count(*) AS n, count(DISTINCT f) AS files FROM (SELECT input_file_name() AS f FROM many)')}`,
);
console.log(
  `    paths option (JSON list): ${await tryRun(`CREATE OR REPLACE TEMPORARY VIEW many2 USING csv OPTIONS (paths '${JSON.stringify(files.slice(0, 2).map((f) => join(landing, f)))}', header 'true')`)}`,
);
console.log(
  `    read_files: ${await tryRun(`SELECT * FROM read_files(${lit(join(landing, 'plain.csv'))}, format => 'csv')`)}`,
);
console.log(`    input_file_name() of a file view: ${await tryRun('SELECT input_file_name() AS f FROM one')}`);

// (d) MERGE / DELETE / UPDATE on parquet tables, and the alternatives
await s.sql(
  "CREATE TABLE facts USING parquet PARTITIONED BY (d) AS SELECT id, CAST(id % 3 AS INT) AS amount, DATE'2024-01-01' + CAST(id % 3 AS INT) AS d FROM range(9)",
);
console.log(`(d) DELETE: ${await tryRun("DELETE FROM facts WHERE d = DATE'2024-01-01'")}`);
console.log(`    UPDATE: ${await tryRun('UPDATE facts SET amount = 0')}`);
console.log(
  `    MERGE: ${await tryRun('MERGE INTO facts t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE')}`,
);
await s.sql('SET spark.sql.sources.partitionOverwriteMode=dynamic');
console.log(
  `    INSERT OVERWRITE (dynamic partitions): ${await tryRun("INSERT OVERWRITE facts PARTITION (d) SELECT 100 + id, 7, DATE'2024-01-02' FROM range(2)")} -> ${await tryRun('SELECT d, count(*) AS n, sum(amount) AS s FROM facts GROUP BY d ORDER BY d')}`,
);

// (e) error shapes are printed by the tests; connection refused:
const refused = await SparkConnect.connect('sc://127.0.0.1:1').catch(
  (e: SparkConnectError) => `${e.name} code=${e.code}: ${e.message}`,
);
console.log(`(e) ${refused}`);
await s.close();
await cluster?.stop();
