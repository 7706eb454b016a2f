// Drives swarm's dashboard: node dashboard.js URL OUT_DIR OPEN
// Waits for the charts to have points, types 200 into the incr field and
// clicks incr, waits for the page to show OPEN open, saves a screenshot, sets
// a rate of 500 calls/s and turns it off again, then
// waits for "stop" on stdin, clicks stop and confirms. Says each step as a
// JSON line.
'use strict';
const path = require('path');
const { launch, say, canvasesDrawn, nextLine, main } = require('./browser');

main(async () => {
  const [url, outDir, expectOpen] = process.argv.slice(2);
  const context = await launch(outDir);
  const page = await context.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  page.on('pageerror', (e) => say('pageerror', { message: String(e) }));
  await page.goto(url);
  await page.waitForFunction(() => window.swarmDashboard && swarmDashboard.intervals() >= 2 &&
                             swarmDashboard.pointCount() > 0, null, { timeout: 30000 });
  say('charts', { points: await page.evaluate(() => swarmDashboard.pointCount()),
                  intervals: await page.evaluate(() => swarmDashboard.intervals()),
                  painted: await canvasesDrawn(page, 'canvas[data-chart]') });
  await page.fill('#count', '200');
  await page.click('#incr');
  await page.waitForFunction(() => /incr 200: OK/.test(document.getElementById('answer').textContent),
                             null, { timeout: 10000 });
  say('incr', { answer: await page.textContent('#answer') });
  await page.waitForFunction((n) => document.getElementById('open').textContent === n, expectOpen,
                             { timeout: 30000 });
  const openPoints = await page.evaluate(() => swarmDashboard.charts.connections.keys.get('open')
    .data.map((p) => p.y));
  say('open', { shown: await page.textContent('#open'), chart: openPoints.slice(-3),
                table: await page.textContent('#status') });
  await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });
  say('screenshot', { path: path.join(outDir, 'dashboard.png') });
  await page.fill('#rate', '500');
  await page.click('#set-rate');
  await page.waitForFunction(() => /rate 500: OK rate 500\/s/.test(document.getElementById('answer').textContent),
                             null, { timeout: 10000 });
  const rateOn = await page.textContent('#answer');
  await page.fill('#rate', 'off');
  await page.click('#set-rate');
  await page.waitForFunction(() => /rate off: OK rate off/.test(document.getElementById('answer').textContent),
                             null, { timeout: 10000 });
  say('rate', { on: rateOn, off: await page.textContent('#answer') });
  if ((await nextLine()) !== 'stop') throw new Error('expected "stop" on stdin');
  await page.click('#stop');
  await page.click('#stop-confirm');
  await page.waitForFunction(() => /stop: OK/.test(document.getElementById('answer').textContent) ||
                             /stopped/.test(document.getElementById('state').textContent),
                             null, { timeout: 10000 });
  say('stopped', { answer: await page.textContent('#answer'), failed });
  await context.close();
});
