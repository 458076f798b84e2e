/**
 * The dashboard in a real browser: headless Chromium (the OS package) driven
 * by playwright-core, against `run --ui` on a temporary folder.
 *
 * - a new file dropped into the input changes the counts and the graph without a reload;
 * - the quarantine drill-down shows failing rules, with PHI masked;
 * - the trends draw one series per diagnosis (as DuckDB counts them);
 * - the vitals page lists alerts newest first and draws a patient's readings;
 * - the table browser filters like `show --where`;
 * - axe-core finds no serious or critical violation on any page, in light and dark mode;
 * - no console error (a CSP violation is one) on any page.
 *
 * Screenshots of each page go to `.screenshots/` (ignored), or to the folder in
 * LOCALDLT_SCREENSHOTS (`npm run screenshots` writes docs/dashboard/).
 * Without any Chromium the suite is skipped with a message; in CI (CI=true) a
 * missing Chromium fails it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureBuilt, generatePool, ROOT, tempDir, waitFor, type Pool } from './helpers/cli.js';
import { Duck, sqlString } from './helpers/duck.js';
import { findChromium, http, launchChromium, serve, stopServed, type Served } from './helpers/dashboard.js';
import { buildGraph } from '../engine/graph/graph.js';
import { patientPipeline } from '../layers/pipeline.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

const chromiumPath = findChromium();
if (!chromiumPath) {
  if (process.env.CI) throw new Error('no Chromium found: CI installs the OS package (apt-get install chromium); the browser tests cannot be skipped in CI');
  process.stderr.write('dashboard browser tests skipped: no Chromium found (install the OS package: apt-get install -y chromium, or set LOCALDLT_CHROMIUM)\n');
}

const SHOTS = path.resolve(ROOT, process.env.LOCALDLT_SCREENSHOTS ?? '.screenshots');
const PAGES = ['graph', 'quality', 'updates', 'trends', 'vitals', 'tables'] as const;
const READY: Record<(typeof PAGES)[number], string> = {
  graph: '[data-dataset="patients_bronze"]',
  quality: '#expectations tbody tr',
  updates: '#events tbody tr',
  trends: '#daily-admissions svg',
  vitals: '#vital-heart_rate svg',
  tables: 'table[data-table] tbody tr',
};

let duck: Duck;
let pool: Pool;
let work: string;
let input: string;
let out: string;
let run: Served;
let browser: { context: BrowserContext; close: () => Promise<void> };
let page: Page;
const problems: string[] = [];

const tableGlob = (t: string) => sqlString(path.join(out, 'tables', t, '*.parquet'));
const bronzeRows = async () => (await http(run.origin, '/api/status')).body.tables.find((t: { name: string }) => t.name === 'patients_bronze').rows as number | null;

function dropByRename(name: string): void {
  const tmp = path.join(input, `.${name}.tmp`);
  fs.copyFileSync(path.join(pool.dir, name), tmp);
  fs.renameSync(tmp, path.join(input, name));
}

async function open(p: (typeof PAGES)[number], arg = ''): Promise<void> {
  await page.goto(`${run.origin}/#/${p}${arg}`);
  await page.waitForSelector(READY[p], { timeout: 30_000 });
}

describe.skipIf(!chromiumPath)('the dashboard in Chromium', () => {
  beforeAll(async () => {
    ensureBuilt();
    duck = await Duck.open();
    work = tempDir('dash-ui');
    pool = await generatePool({ files: 3, rows: 150, seed: 'dash-ui', scenarios: ['flu-season', 'vitals-deterioration'], dirtyRate: 0.08 });
    input = path.join(work, 'in');
    out = path.join(work, 'out');
    fs.mkdirSync(input);
    // the first two days of patients and vitals now; the third patient file while the page is open
    for (const f of pool.files.filter((n) => !n.endsWith('000002.csv'))) fs.copyFileSync(path.join(pool.dir, f), path.join(input, f));
    run = await serve(['run', '--ui', '--port', '0', '--input', input, '--output', out, '--stability', '100ms']);
    const first = pool.files.filter((n) => n.startsWith('patients_') && !n.endsWith('000002.csv')).reduce((s, n) => s + pool.records.get(n)!, 0);
    await waitFor('the first batch', async () => (await bronzeRows()) === first, 60_000);
    await waitFor('the closing batch (alerts)', async () => ((await http(run.origin, '/api/tables/patient_alerts?limit=1')).body.total ?? 0) > 0, 60_000);
    browser = await launchChromium(chromiumPath!);
    page = await browser.context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} (${page.url()})`); });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message} (${page.url()})`));
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stopServed(run);
    duck?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
    if (pool) fs.rmSync(pool.dir, { recursive: true, force: true, maxRetries: 5 });
  }, 60_000);

  it('a new input file changes the counts and the graph without a reload', async () => {
    await open('graph');
    const bronze = page.locator('[data-dataset="patients_bronze"]');
    const before = Number(await bronze.getAttribute('data-rows'));
    expect(before).toBe(await bronzeRows());
    expect(await page.locator('.node').count()).toBe(buildGraph(patientPipeline).order.length);
    const batchBefore = await page.locator('[data-kpi="last-batch"]').textContent();
    await page.evaluate(() => { (window as unknown as { marker: string }).marker = 'the same page'; });
    const late = pool.files.find((n) => n.startsWith('patients_') && n.endsWith('000002.csv'))!;
    dropByRename(late);
    const expected = before + pool.records.get(late)!;
    await page.waitForFunction((n) => document.querySelector('[data-dataset="patients_bronze"]')?.getAttribute('data-rows') === String(n), expected, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('the same page');
    expect(await bronze.locator('.count').textContent()).toBe(expected.toLocaleString('en-US'));
    // the edge out of bronze carries the rows of the new file; the last batch moved on
    await page.waitForFunction((n) => document.querySelector('[data-edge="patients_bronze->patients_clean"]')?.getAttribute('data-rows') === String(n), pool.records.get(late)!, { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e}\n${JSON.stringify((await http(run.origin, '/api/graph')).body.last_batch)} ${JSON.stringify((await http(run.origin, '/api/graph')).body.edges)}\n${run.child.stderr()}`);
    });
    expect(await page.locator('[data-edge="patients_bronze->patients_clean"] text').textContent()).toBe(`+${pool.records.get(late)!.toLocaleString('en-US')}`);
    expect(await page.locator('[data-kpi="last-batch"]').textContent()).not.toBe(batchBefore);
    const silver = (await duck.all(`SELECT count(*) AS n FROM read_parquet(${tableGlob('patients_silver')})`))[0].n;
    await page.waitForFunction((n) => document.querySelector('[data-dataset="patients_silver"]')?.getAttribute('data-rows') === String(n), silver, { timeout: 10_000 });
  });

  it('the quarantine drill-down shows the failing rules, file and line, with PHI masked', async () => {
    await open('quality');
    await page.click('[data-open-quarantine="patients_quarantine"]');
    await page.waitForSelector('table[data-table="patients_quarantine"] tbody tr', { timeout: 20_000 });
    const rules = ['valid_patient_id', 'valid_age', 'valid_gender', 'valid_admission_date'];
    const failed = await page.locator('table[data-table="patients_quarantine"] td[data-col="_failed_expectations"]').allTextContents();
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) for (const r of f.split(', ')) expect(rules).toContain(r);
    const lines = await page.locator('table[data-table="patients_quarantine"] td[data-col="_line"]').allTextContents();
    expect(lines.every((l) => /^\d+$/.test(l))).toBe(true);
    const names = await page.locator('table[data-table="patients_quarantine"] td[data-col="name"]').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['***']));
    const real = await duck.all(`SELECT DISTINCT name, address FROM read_parquet(${tableGlob('patients_quarantine')}) WHERE name IS NOT NULL AND length(name) > 3`);
    const html = await page.content();
    for (const r of real) { expect(html).not.toContain(r.name as string); expect(html).not.toContain(r.address as string); }
    // one rule: only rows that failed it
    const rule = failed.join(', ').split(', ')[0];
    await page.selectOption('[data-quarantine="patients_quarantine"] select', rule);
    const picked = await page.locator('table[data-table="patients_quarantine"] td[data-col="_failed_expectations"]').allTextContents();
    expect(picked.length).toBeGreaterThan(0);
    for (const f of picked) expect(f.split(', ')).toContain(rule);
    expect(page.url()).not.toContain(rule);
  });

  it('the trends draw one series per diagnosis, and the rolling and gender charts from the gold tables', async () => {
    await open('trends');
    const [{ n }] = await duck.all(`SELECT count(DISTINCT coalesce(diagnosis_description, '(unknown code)')) AS n FROM read_parquet(${tableGlob('daily_admissions_by_diagnosis')})`);
    const fig = page.locator('#daily-admissions');
    expect(Number(await fig.getAttribute('data-series'))).toBe(n);
    const fills = await fig.locator('svg rect[fill]').evaluateAll((rs) => [...new Set(rs.map((r) => r.getAttribute('fill')))]);
    expect(fills).toHaveLength(n as number);
    expect(await fig.locator('.chart-legend li').count()).toBe(n);
    const bars = await fig.locator('svg rect[fill]').count();
    const [{ cells }] = await duck.all(`SELECT count(*) AS cells FROM read_parquet(${tableGlob('daily_admissions_by_diagnosis')})`);
    expect(bars).toBe(cells);
    expect(await page.locator('#rolling-7d svg g[data-mark="line"] path').count()).toBe(2);
    const [{ g }] = await duck.all(`SELECT count(*) AS g FROM read_parquet(${tableGlob('patient_stats_by_gender')})`);
    expect(await page.locator('#by-gender svg g[data-mark="bar"] rect').count()).toBe(g);
    const [{ d }] = await duck.all(`SELECT count(*) AS d FROM read_parquet(${tableGlob('patient_stats_by_diagnosis')})`);
    expect(await page.locator('#by-diagnosis svg g[data-mark="bar"] rect').count()).toBe(d);
  });

  it('the vitals page lists alerts newest first and draws the selected patient\'s readings and thresholds', async () => {
    await open('vitals');
    const [{ total }] = await duck.all(`SELECT count(*) AS total FROM read_parquet(${tableGlob('patient_alerts')})`);
    const items = page.locator('#alerts-feed li');
    expect(await items.count()).toBe(Math.min(200, total as number));
    const ends = await page.locator('#alerts-feed .when').allTextContents();
    const keys = ends.map((t) => t.replace(/^(\S+) (\S+) UTC – (\S+)$/, '$1 $3'));
    expect([...keys].sort().reverse()).toEqual(keys);
    const patient = await page.locator('#patient-select').inputValue();
    await page.waitForSelector(`[data-patient="${patient}"] #vital-heart_rate svg`);
    const [{ r }] = await duck.all(`SELECT count(*) AS r FROM read_parquet(${tableGlob('vitals_silver')}) WHERE patient_id = ${sqlString(patient)} AND heart_rate IS NOT NULL`);
    expect(await page.locator('#vital-heart_rate svg g[data-mark="dot"] circle').count()).toBe(r);
    // the two heart-rate thresholds are drawn as rules
    expect(await page.locator('#vital-heart_rate svg g[data-mark="rule"]').count()).toBeGreaterThanOrEqual(2);
    expect(page.url()).not.toContain(patient);
  });

  it('the table browser filters with the show --where syntax and reports a bad filter', async () => {
    await open('tables', '/patients_silver');
    await page.fill('#where', 'age >= 80');
    await page.click('form.filters button[type="submit"]');
    const [{ n }] = await duck.all(`SELECT count(*) AS n FROM read_parquet(${tableGlob('patients_silver')}) WHERE age >= 80`);
    await page.waitForFunction((t) => document.querySelector('#row-count')?.textContent?.includes(t), `of ${Number(n).toLocaleString('en-US')} matching rows`, { timeout: 15_000 });
    const ages = await page.locator('table[data-table="patients_silver"] td[data-col="age"]').allTextContents();
    expect(ages.length).toBe(Math.min(100, n as number));
    for (const a of ages) expect(Number(a)).toBeGreaterThanOrEqual(80);
    const mark = problems.length;
    await page.fill('#where', 'age >>> 3');
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector('[role="alert"]');
    expect(await page.locator('[role="alert"]').textContent()).toContain('BAD_WHERE');
    // Chromium logs the 400 answer of the refused filter: expected here, not elsewhere
    const logged = problems.splice(mark);
    expect(logged.every((l) => l.includes('status of 400'))).toBe(true);
    expect(page.url()).not.toContain('age');
  });

  it('every page passes axe-core (no serious or critical violation) in light and dark mode; screenshots', async () => {
    const axe = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const p of PAGES) {
        await open(p, p === 'tables' ? '/patients_silver' : '');
        if (p === 'quality') {
          await page.click('[data-open-quarantine="patients_quarantine"]');
          await page.waitForSelector('table[data-table="patients_quarantine"] tbody tr');
        }
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.waitForTimeout(300);
        // evaluated through the DevTools protocol, so the page's CSP does not apply to the checker itself
        await page.evaluate(axe);
        const res = await page.evaluate(() => (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] }));
        for (const v of res.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') found.push(`${scheme} ${p}: ${v.id} (${v.impact}) at ${v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join('; ')}`);
        }
        if (scheme === 'light' || p === 'graph' || p === 'trends') {
          await page.screenshot({ path: path.join(SHOTS, `${p}${scheme === 'dark' ? '-dark' : ''}.png`) });
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(found).toEqual([]);
  });

  it('no console error or warning on any page (a CSP violation would be one)', () => {
    expect(problems).toEqual([]);
  });
});
