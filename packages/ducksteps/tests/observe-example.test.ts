// Issue 36 on the example itself: its run writes both artifacts valid against their schemas, its OpenLineage
// events (file transport) are valid against the spec and read back by the official Java client, and the report
// draws the column lineage of mart.customer_features in a real Chromium.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactErrors } from './artifacts.js';
import { exampleCopy } from './helpers.js';
import { eventErrors, eventsIn, readBack } from './openlineage.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, 'logs', file), 'utf8'));

t.test(
  "the example's run: artifacts, OpenLineage events and the column lineage of mart.customer_features",
  { skip: CHROMIUM ? false : 'no Chromium here: apt-get install chromium', timeout: 600_000 },
  async (t) => {
    const dir = exampleCopy(t.testdir());
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    pkg.ducksteps.openlineage = { file: 'logs/openlineage.jsonl' };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    const run = await execa('./run.sh', ['--var', 'orders=3000'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
    t.equal(run.exitCode, 0, 'the example runs');
    if (run.exitCode !== 0) t.comment(run.stdout + run.stderr);

    t.same(artifactErrors('run_results.json', json(dir, 'run_results.json')), [], 'run_results.json is valid');
    const manifest = json(dir, 'manifest.json');
    t.same(artifactErrors('manifest.json', manifest), [], 'manifest.json is valid');
    t.match(manifest.nodes['step.05_aggregate'].writes, ['mart.customer_features', 'mart.daily_revenue']);
    const revenue = manifest.tables['mart.customer_features'].columns.find(
      (c: { name: string }) => c.name === 'total_revenue',
    );
    t.same(revenue.from, [{ source: 'core.orders_enriched.revenue', how: 'aggregation' }]);
    t.match(manifest.sources['source.orders'], { path: 'data/landing/orders/*.csv', read_by: ['step.02_extract'] });

    const events = eventsIn(join(dir, 'logs/openlineage.jsonl'));
    t.ok(events.length >= 12, `${events.length} events`);
    t.same(
      events.flatMap((e) => eventErrors(e)),
      [],
      'every event is valid against the OpenLineage 2-0-2 schema',
    );
    const read = await readBack(join(dir, 'logs/openlineage.jsonl'));
    t.equal(read.length, events.length, 'the Java client reads every event');
    const aggregate = read.find((e) => e.eventType === 'COMPLETE' && e.job.endsWith('.05_aggregate'));
    const features = aggregate?.outputs.find((o: { name: string }) => o.name === 'warehouse.mart.customer_features');
    t.same(features?.columnLineage?.total_revenue, ['warehouse.core.orders_enriched.revenue']);
    t.ok(features?.rowCount > 0, 'its row count');

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    await page.goto(`file://${join(dir, 'logs/report.html')}`);
    await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
    await page.selectOption('#column-pick', 'mart.customer_features.total_revenue');
    const path = (await page.textContent('#column-path')) ?? '';
    for (const step of [
      'mart.customer_features.total_revenue',
      'core.orders_enriched.revenue',
      'core.orders.quantity',
      'raw.orders.unit_price',
      'file:data/landing/orders/*.csv.quantity',
    ])
      t.match(path, step, `the path reaches ${step}`);
    t.match(await page.textContent('#inputs'), /orders[\s\S]*fresh|orders/, 'the inputs and their age');
    await page.screenshot({ path: join(dir, 'logs/report.png'), fullPage: true });
  },
);
