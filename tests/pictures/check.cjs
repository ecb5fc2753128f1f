// The pictures as a reviewer sees them, in headless Chromium (Debian's), driven by
// puppeteer-core: the backtest report page (no console error, no request leaving the file,
// every alert of the history in its DOM, screenshots on a phone and a wide screen, a PDF for
// print) and the Mermaid charts of a Markdown plan (each renders with the `mermaid` package,
// as GitHub and GitLab render it). Usage: node check.cjs CHROMIUM REPORT.html BACKTEST.json
// PLAN.md MERMAID.min.js OUT_DIR; run by tests/pictures/run. Gives up after 90 seconds.
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const puppeteer = require('puppeteer-core');

const [chromium, report, backtestJson, planMd, mermaidJs, out] = process.argv.slice(2);
setTimeout(() => { console.error('error: gave up after 90 s'); process.exit(1); }, 90_000).unref();

let passed = 0;
const failures = [];
function check(name, ok, detail) {
  if (ok) { passed += 1; console.log(`ok   ${name}`); } else { failures.push(name); console.log(`FAIL ${name}\n     ${detail}`); }
}

/** A page that records console errors and every request that is not the file itself. */
async function watched(browser, allowed) {
  const page = await browser.newPage();
  const errors = [];
  const outside = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    if (allowed.includes(url) || url.startsWith('data:')) {
      request.continue();
    } else {
      outside.push(url);
      request.abort();
    }
  });
  return { page, errors, outside };
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    // The report page.
    const reportUrl = pathToFileURL(report).href;
    const { page, errors, outside } = await watched(browser, [reportUrl]);
    await page.goto(reportUrl, { waitUntil: 'load', timeout: 20_000 });
    const alerts = JSON.parse(fs.readFileSync(backtestJson, 'utf8')).alerts;
    const rows = await page.$$eval('#summary tr[data-alert]', (trs) => trs.map((tr) => tr.dataset.alert));
    const plotted = await page.$$eval('figure.plot[data-alert]', (figures) => figures.map((f) => f.dataset.alert));
    const withData = alerts.filter((alert) => alert.queues.some((queue) => queue.has_data)).map((alert) => alert.name);
    check('report: every alert of the backtest has a summary row', alerts.every((alert) => rows.includes(alert.name)) && rows.length === alerts.length, JSON.stringify(rows));
    check('report: the summary is worst first, as the backtest', JSON.stringify(rows) === JSON.stringify(alerts.map((a) => a.name)), JSON.stringify(rows));
    check('report: every alert with data has a plot', withData.length > 0 && withData.every((name) => plotted.includes(name)), JSON.stringify(plotted));
    const figures = await page.$$eval('figure.plot svg g.panel', (panels) => panels.map((g) => g.dataset.queue));
    check('report: a panel per queue with data', figures.length >= withData.length, JSON.stringify(figures));
    for (const [name, width, height] of [['phone', 390, 844], ['wide', 1440, 900]]) {
      await page.setViewport({ width, height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(`report: no sideways scrolling on a ${name} (${width} px)`, overflow <= 1, `${overflow} px too wide`);
      const shot = path.join(out, `report-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      check(`report: a ${name} screenshot`, fs.statSync(shot).size > 10_000, `${fs.statSync(shot).size} bytes`);
    }
    const pdf = path.join(out, 'report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    check('report: prints (a PDF)', fs.statSync(pdf).size > 10_000, `${fs.statSync(pdf).size} bytes`);
    check('report: no console errors', errors.length === 0, errors.join(' | '));
    check('report: no request leaves the file', outside.length === 0, outside.join(', '));

    // The Mermaid charts of a Markdown plan.
    const blocks = [...fs.readFileSync(planMd, 'utf8').matchAll(/```mermaid\n([\s\S]*?)```/g)].map((match) => match[1]);
    check('plan: the Markdown plan holds a Mermaid chart', blocks.length > 0, 'none');
    const holder = path.join(out, 'mermaid.html');
    fs.writeFileSync(holder, `<!doctype html><meta charset="utf-8"><script src="${pathToFileURL(mermaidJs).href}"></script><body></body>`);
    const holderUrl = pathToFileURL(holder).href;
    const charts = await watched(browser, [holderUrl, pathToFileURL(mermaidJs).href]);
    await charts.page.goto(holderUrl, { waitUntil: 'load', timeout: 20_000 });
    for (const [index, code] of blocks.entries()) {
      const result = await charts.page.evaluate(async (code, index) => {
        try {
          window.mermaid.initialize({ startOnLoad: false });
          await window.mermaid.parse(code);
          const { svg } = await window.mermaid.render(`chart${index}`, code);
          const holder = document.createElement('div');
          holder.innerHTML = svg;
          document.body.appendChild(holder);
          return { ok: true, lines: holder.querySelectorAll('.line-plot-0, path[class*="line"]').length, bars: holder.querySelectorAll('rect[class*="bar"], g[class*="bar"] rect').length, text: holder.textContent };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      }, code, index);
      check(`plan: Mermaid chart ${index + 1} parses and renders`, result.ok, result.error);
      const hours = (code.match(/x-axis "hour \(UTC\)" \[([^\]]*)\]/) ?? [, ''])[1].split(',').length;
      check(`plan: Mermaid chart ${index + 1} draws a bar an hour`, result.ok && result.bars === hours, `${result.bars} bars for ${hours} hours`);
    }
    await charts.page.screenshot({ path: path.join(out, 'mermaid.png'), fullPage: true });
    check('plan: no console errors while rendering', charts.errors.length === 0, charts.errors.join(' | '));
    check('plan: no request leaves the page', charts.outside.length === 0, charts.outside.join(', '));
  } finally {
    await browser.close();
  }
  console.log(`pictures: ${passed} passed, ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
})().catch((error) => { console.error(`error: ${error.stack ?? error}`); process.exit(1); });
