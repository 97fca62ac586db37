// Summarises the Lighthouse runs of scripts/lighthouse.sh: per page the median run by performance score.
// node report.mjs <folder with {page}-{i}.json> <markdown out> <cores>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [folder, out, cores] = process.argv.slice(2);
// the pages measured: {name}-{i}.json, where name is the path with / as _ (home for /)
const names = [...new Set(readdirSync(folder).filter(f => /-\d+\.json$/.test(f)).map(f => f.replace(/-\d+\.json$/, '')))];
const pages = Object.fromEntries(names.map(n => [n, n === 'home' ? '/' : '/' + n.replaceAll('_', '/')]));
// issue 35: every resident page on the shipped data
const goals = { performance: 90, accessibility: 100, lcpMs: 2500, tbtMs: 200, bytes: 300_000 };
const rows = [];
let failed = false;
for (const [name, path] of Object.entries(pages)) {
  const runs = readdirSync(folder).filter(f => new RegExp(`^${name}-\\d+\\.json$`).test(f))
    .map(f => JSON.parse(readFileSync(join(folder, f), 'utf8')))
    .sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  const r = runs[Math.floor((runs.length - 1) / 2)];
  const a = r.audits;
  const requests = a['network-requests'].details.items;
  const external = requests.filter(i => !i.url.startsWith('http://127.0.0.1'));
  const row = {
    path, runs: runs.length,
    performance: Math.round(r.categories.performance.score * 100),
    accessibility: Math.round(r.categories.accessibility.score * 100),
    lcpMs: a['largest-contentful-paint'].numericValue, fcpMs: a['first-contentful-paint'].numericValue,
    tbtMs: a['total-blocking-time'].numericValue, cls: a['cumulative-layout-shift'].numericValue,
    bytes: a['total-byte-weight'].numericValue, requests: requests.length, external: external.length,
    largest: requests.filter(i => i.transferSize > 0).sort((x, y) => y.transferSize - x.transferSize).slice(0, 4)
      .map(i => `${new URL(i.url).pathname.split('/').pop() || 'the page'} ${(i.transferSize / 1024).toFixed(0)} KiB`).join(', '),
    all: runs.map(x => Math.round(x.categories.performance.score * 100)).join(', '),
  };
  row.ok = row.performance >= goals.performance && row.accessibility >= goals.accessibility && row.lcpMs <= goals.lcpMs && row.tbtMs <= goals.tbtMs && row.bytes <= goals.bytes;
  failed ||= !row.ok;
  rows.push(row);
}
const kb = n => (n / 1000).toFixed(0);
const md = [
  '# Lighthouse: the resident pages on a phone',
  '',
  `Measured by \`./kaart lighthouse\` on ${new Date().toISOString().slice(0, 10)} (${cores} cores): the published server on loopback with`,
  'the shipped configuration, Lighthouse ' + JSON.parse(readFileSync(new URL('./package.json', import.meta.url))).dependencies.lighthouse +
  ' (npm) with Debian\'s Chromium, mobile form factor, default simulated throttling (slow 4G, 4× CPU slowdown). Median of',
  `${rows[0].runs} runs per page by performance score. Goals (issue 35): performance ≥ ${goals.performance}, accessibility ${goals.accessibility},`,
  `total blocking time ≤ ${goals.tbtMs} ms, LCP ≤ ${goals.lcpMs / 1000} s, ≤ ${kb(goals.bytes)} KB transferred before interaction. The data is what`,
  '`./kaart run` loads (full-resolution boundaries, DEMO addresses, a DEMO year of meldingen, monitor scores, initiatives, CBS figures).',
  '',
  '| page | performance | accessibility | LCP | FCP | TBT | CLS | transferred | requests | goals | performance of each run |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ...rows.map(r => `| \`${r.path}\` | ${r.performance} | ${r.accessibility} | ${(r.lcpMs / 1000).toFixed(1)} s | ${(r.fcpMs / 1000).toFixed(1)} s | ${r.tbtMs.toFixed(0)} ms | ${r.cls.toFixed(3)} | ${kb(r.bytes)} KB | ${r.requests} | ${r.ok ? 'met' : '**not met**'} | ${r.all} |`),
  '',
  'Largest transfers:',
  '',
  ...rows.map(r => `- \`${r.path}\`: ${r.largest}`),
  '',
  'Not counted: the background map tiles (PDOK\'s BRT-Achtergrondkaart, `Map:BackgroundTileUrl`) are fetched from PDOK, which',
  `this machine cannot reach (${rows.map(r => `${r.path}: ${r.external} such requests`).join(', ')}; 0 bytes each here). On a real phone the`,
  'visible tiles come on top of these figures, after the page itself has painted.',
  '',
];
writeFileSync(out, md.join('\n'));
for (const r of rows) console.log(`${r.path}: performance ${r.performance}, accessibility ${r.accessibility}, LCP ${(r.lcpMs / 1000).toFixed(1)} s, ${kb(r.bytes)} KB ${r.ok ? '(goals met)' : '(GOALS NOT MET)'}`);
process.exit(failed ? 1 : 0);
