// The chart and diagram libraries the report inlines (no CDN: the file works offline), read from node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** node_modules/<path>, looked up from this file's folder upward (package "exports" hide these bundles). */
function vendorFile(path: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`node_modules/${path} is missing: run ./install.sh`);
  }
}

/** A library's browser bundle, made safe to inline in a <script> element. */
const bundle = (path: string) => readFileSync(vendorFile(path), 'utf8').replace(/<\/script/gi, '<\\/script');

/** Vega + Vega-Lite + vega-embed (charts from declarative specs) and mermaid (the lineage flowchart). */
export function reportLibraries(): string {
  return ['vega/build/vega.min.js', 'vega-lite/build/vega-lite.min.js', 'vega-embed/build/vega-embed.min.js', 'mermaid/dist/mermaid.min.js']
    .map((path) => `<script>/* ${path.split('/')[0]} */\n${bundle(path)}\n</script>`).join('\n');
}
