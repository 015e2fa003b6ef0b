// The report page's own script (as text): draws the charts from the embedded data with Vega-Lite, the
// lineage with mermaid, and marks the page ready (data-ready) for the browser test.
export const PAGE_SCRIPT = String.raw`(() => {
const data = JSON.parse(document.getElementById('report-data').textContent);
const STATUS = { domain: ['ok', 'failed', 'interrupted', 'timed out', 'skipped', 'up to date'], range: ['#3f8f55', '#c0392b', '#e67e22', '#8e44ad', '#9aa0a6', '#7fb88f'] };
const slowest = (label) => data.statements.filter((s) => s.step + (s.batch ? ' · batch ' + s.batch : '') === label)
  .sort((a, b) => b.ms - a.ms).slice(0, 3).map((s) => s.where + ' ' + (s.ms / 1000).toFixed(2) + ' s').join('; ');
const timed = data.steps.filter((s) => s.start !== null && s.end !== null).map((s) => ({ ...s, top: slowest(s.label) || '-' }));
const opts = { actions: false, renderer: 'svg' };
const charts = [
  vegaEmbed('#timeline', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: Math.max(60, timed.length * 26),
    data: { values: timed }, mark: { type: 'bar', cornerRadius: 2, height: { band: 0.7 } },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'start' }, title: null },
      x: { field: 'start', type: 'quantitative', title: 'ms since the run started' }, x2: { field: 'end' },
      color: { field: 'status', type: 'nominal', scale: STATUS, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'label', title: 'step' }, { field: 'status' }, { field: 'ms', title: 'duration ms' }, { field: 'rows', title: 'rows changed' },
        { field: 'statements' }, { field: 'peakMb', title: 'peak MB' }, { field: 'cpuMs', title: 'CPU ms' }, { field: 'top', title: 'slowest statements' }],
    },
  }, opts),
  vegaEmbed('#trend-duration', trend('ms', 'duration (ms)'), opts),
  vegaEmbed('#trend-rows', trend('rows', 'rows changed'), opts),
  vegaEmbed('#resources', {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: Math.max(60, timed.length * 22),
    data: { values: timed.filter((s) => s.peakMb !== null) },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'label', type: 'nominal', sort: { field: 'start' }, title: null }, x: { field: 'peakMb', type: 'quantitative', title: 'peak memory (MB)' },
        tooltip: [{ field: 'label', title: 'step' }, { field: 'peakMb', title: 'peak MB' }, { field: 'cpuMs', title: 'CPU ms' }] } },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { y: { field: 'label', type: 'nominal', sort: { field: 'start' } }, x: { field: 'peakMb', type: 'quantitative' }, text: { field: 'cpuMs', format: ',', title: 'CPU ms' } } },
    ],
  }, opts),
];
function trend(field, title) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 220, data: { values: data.trends },
    encoding: { x: { field: 'run_index', type: 'ordinal', title: 'run (oldest → latest)' }, y: { field, type: 'quantitative', title }, color: { field: 'step', type: 'nominal' } },
    layer: [
      { mark: { type: 'line', point: false } },
      { mark: { type: 'point', filled: true }, encoding: { size: { field: 'latest', type: 'nominal', scale: { domain: ['earlier', 'latest'], range: [20, 160] }, title: null },
        tooltip: [{ field: 'step' }, { field: 'run' }, { field, title }] } },
    ],
  };
}
// Column lineage: the picked column, then what it comes from, each upstream column expanded in turn.
const pick = document.getElementById('column-pick');
function columnTree(name, seen) {
  const li = document.createElement('li');
  const code = document.createElement('code');
  code.textContent = name;
  li.append(code);
  const cut = name.lastIndexOf('.');
  const table = data.columns[name.slice(0, cut)];
  const column = table && table.columns.find((c) => c.name === name.slice(cut + 1));
  if (!column || seen.has(name)) return li;
  const ul = document.createElement('ul');
  for (const from of column.from) {
    const child = columnTree(from.source, new Set([...seen, name]));
    const how = document.createElement('span');
    how.className = 'how';
    how.textContent = ' ' + from.how;
    child.insertBefore(how, child.children[1] || null);
    ul.append(child);
  }
  if (column.from.length === 0) ul.innerHTML = '<li class="how">(from no column: a constant, a count or a generated value)</li>';
  li.append(ul);
  return li;
}
function showColumn() {
  const root = document.createElement('ul');
  root.append(columnTree(pick.value, new Set()));
  document.getElementById('column-path').replaceChildren(root);
}
if (pick) {
  pick.addEventListener('change', showColumn);
  showColumn();
}
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral' });
const lineage = document.querySelector('.mermaid') ? mermaid.run({ querySelector: '.mermaid' }) : Promise.resolve();
Promise.all([...charts, lineage]).then(() => { document.body.dataset.ready = 'yes'; }, (error) => { document.body.dataset.ready = 'error'; console.error(error); });
})();
`;
