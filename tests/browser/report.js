// Opens an HTML report from a file: node report.js FILE OUT_DIR
// Says whether its charts are drawn, how many distribution plots it has and
// every request the page made (it must make none beyond its own file), and
// saves a screenshot.
'use strict';
const path = require('path');
const { launch, say, canvasesDrawn, main } = require('./browser');

main(async () => {
  const [file, outDir] = process.argv.slice(2);
  const context = await launch(outDir);
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('file://' + path.resolve(file));
  await page.waitForFunction(() => window.swarmReport && swarmReport.pointCount() > 0, null,
                             { timeout: 15000 });
  await page.screenshot({ path: path.join(outDir, 'report.png'), fullPage: true });
  say('report', {
    points: await page.evaluate(() => swarmReport.pointCount()),
    painted: await canvasesDrawn(page, 'canvas[data-chart]'),
    distributions: await canvasesDrawn(page, 'canvas[data-distribution]'),
    latencyTable: await page.textContent('#latency'),
    messages: await page.textContent('#messages'),
    flags: await page.textContent('[data-config="flags"]'),
    requests,
    errors,
    screenshot: path.join(outDir, 'report.png'),
  });
  await context.close();
});
