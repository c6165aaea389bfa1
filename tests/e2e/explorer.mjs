// End-to-end test of `stpsim explore` in headless Chromium (Debian's package,
// driven by playwright-core; no browser is downloaded). It starts the release
// binary on a free port, adds a strengthen_leads lever at 2017Q2 in the page,
// runs 50 replicates, waits for the paired-difference chart, checks the
// headline transformation index difference is positive, saves the scenario,
// and checks that `stpsim validate` accepts the file and `stpsim run`
// prints the page's headline numbers character for character.
//
//   STPSIM_BIN (default ../../target/release/stpsim), CHROMIUM (default
//   /usr/bin/chromium), SCREENSHOTS=dir to keep screenshots, DOCS_IMAGE=file
//   to write the finished run's as the README's image
//   (DOCS_IMAGE=docs/images/explorer.png).

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(process.env.STPSIM_BIN || join(here, '../../target/release/stpsim'));
const shots = process.env.SCREENSHOTS ? resolve(process.env.SCREENSHOTS) : null;
const docsImage = process.env.DOCS_IMAGE ? resolve(process.env.DOCS_IMAGE) : null;
const work = mkdtempSync(join(tmpdir(), 'stpsim-e2e-'));
const REPLICATES = 50;
const SEED = 2016;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n${e.stack || e}`);
    throw e;
  }
}

// The server on a free port (port 0): it prints its address first.
function startServer() {
  const child = spawn(bin, ['explore', '--no-browser', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`no address from the server: ${out}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ child, url: m[0] });
      }
    });
    child.on('exit', (code) => fail(new Error(`the server exited (${code}): ${out}`)));
  });
}

// `stpsim run` prints `  metric  median [p05, p95]   difference [p05, p95]`.
function printedRows(text, scenario) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${scenario} (`));
  assert.ok(at >= 0, `stpsim run printed no section for ${scenario}:\n${text}`);
  const rows = {};
  for (const l of lines.slice(at + 1)) {
    // A value is a number with its unit mark: "42.3%", "+4.4 pp", "−£1,841m".
    const v = '(\\S+(?: pp)?)';
    const m = new RegExp(`^  (\\S+)\\s+${v} \\[\\s*${v},\\s*${v}\\](?:\\s+${v} \\[\\s*${v},\\s*${v}\\])?$`).exec(l);
    if (!m) break;
    rows[m[1]] = { value: `${m[2]} [${m[3]}, ${m[4]}]`, difference: m[5] ? `${m[5]} [${m[6]}, ${m[7]}]` : null };
  }
  return rows;
}

const { child: server, url } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1500, height: 1200 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  // The page works offline: every request it makes goes to the server.
  await page.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));

  await check('the page loads the base scenario and its controls', async () => {
    await page.goto(url);
    await page.waitForFunction(() => document.querySelectorAll('#base option').length > 5 && document.querySelector('#name').value !== '');
    assert.equal(await page.inputValue('#base'), 'baseline');
    assert.equal(await page.inputValue('#name'), 'baseline-edited');
    // It opens on a comparison that shows something, not baseline against an identical copy.
    await page.waitForFunction(() => S.edited.levers.some((l) => l.kind === 'remove_veto'));
  });

  let toml;
  await check(`a strengthen_leads lever at 2017Q2 over ${REPLICATES} replicates streams to a paired difference`, async () => {
    await page.fill('#replicates', String(REPLICATES));
    await page.dispatchEvent('#replicates', 'change');
    await page.selectOption('#add-kind', 'strengthen_leads');
    await page.click('#add');
    const card = page.locator('.lever').last();
    await card.locator('select[data-field$=".start"]').selectOption('2017Q2');
    await page.click('#run');
    await page.waitForFunction(
      (n) => S.finished && S.data.done === n && S.shownToml.includes('kind = "strengthen_leads"') && S.shownToml.includes('start = "2017Q2"'),
      REPLICATES, { timeout: 120000 });
    await page.waitForSelector('#diff[data-ready="final"] polyline.median');
    assert.equal(errors.length, 0, errors.join('\n'));
    if (shots) await page.screenshot({ path: join(shots, 'explorer.png') });
    if (docsImage) await page.screenshot({ path: docsImage });
  });

  let shown;
  await check('the headline transformation index difference is positive', async () => {
    shown = await page.$$eval('#headline tr[data-metric]', (rows) => Object.fromEntries(rows.map((r) => [
      r.dataset.metric,
      { base: r.querySelector('.base').textContent, value: r.querySelector('.edited').textContent, difference: r.querySelector('.difference').textContent },
    ])));
    const d = shown.transformation_index.difference;
    assert.ok(Number(d.split(' ')[0]) > 0, `difference ${d}`);
  });

  await check('Save scenario downloads the TOML of the view, and stpsim validate accepts it', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const path = join(work, download.suggestedFilename());
    await download.saveAs(path);
    toml = readFileSync(path, 'utf8');
    assert.match(toml, /kind = "strengthen_leads"/);
    writeFileSync(join(work, 'saved.toml'), toml);
    const v = spawnSync(bin, ['validate', 'saved.toml'], { cwd: work, encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
  });

  await check('stpsim run reproduces the headline numbers byte for byte (both over the England posterior, moved sliders held)', async () => {
    const r = spawnSync(bin, ['run', 'baseline', 'saved.toml', '--seed', String(SEED), '--replicates', String(REPLICATES), '--no-charts', '--out', 'out'], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const base = printedRows(r.stdout, 'baseline');
    const edited = printedRows(r.stdout, 'baseline-edited');
    const metrics = Object.keys(shown);
    assert.equal(metrics.length, 9);
    for (const m of metrics) {
      assert.equal(shown[m].base, base[m].value, `${m} baseline`);
      assert.equal(shown[m].value, edited[m].value, `${m} edited`);
      assert.equal(shown[m].difference, edited[m].difference, `${m} difference`);
    }
  });

  await check('Report downloads report.html of the run', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#report')]);
    assert.equal(download.suggestedFilename(), 'report.html');
    const html = readFileSync(await download.path(), 'utf8');
    assert.ok(html.includes('<svg') && html.includes('baseline-edited'));
  });

  await check('a bad value is refused beside its control, and the server answers after', async () => {
    const authority = page.locator('.lever').last().locator('input[type=number][data-field$=".authority"]');
    await authority.fill('1.5');
    await authority.dispatchEvent('input');
    await page.waitForSelector('.err.beside[data-error-for$=".authority"]', { timeout: 20000 });
    const msg = await page.textContent('.err.beside');
    // The edited file holds every lever of the view: baseline's joint working, the veto removal the page
    // opens with, then the added one, levers[2].
    assert.match(msg, /edited\.toml:\d+:\d+: `levers\[2\]\.authority` = 1\.5 is out of range/);
    if (shots) await page.screenshot({ path: join(shots, 'explorer-error.png') });
    await authority.fill('0.5');
    await authority.dispatchEvent('input');
    await page.waitForFunction(() => S.finished && !document.querySelector('.err.beside'), null, { timeout: 120000 });
  });
} finally {
  await browser.close();
  server.kill('SIGINT');
}
const code = await new Promise((ok) => server.on('exit', (c) => ok(c)));
await check('Ctrl-C stops the server cleanly', async () => assert.equal(code, 0));
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
