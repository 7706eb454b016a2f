// Shared by the drivers: Debian's chromium under playwright-core, with the
// flags that keep it off the network, a fresh profile, and one JSON line per
// step on stdout for the pytest side to read.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch(outDir) {
  const profile = fs.mkdtempSync(path.join(outDir, 'chromium-profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
}

function say(step, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ step }, fields || {})) + '\n');
}

/* Whether every canvas matching `selector` has pixels drawn on it. */
async function canvasesDrawn(page, selector) {
  return page.$$eval(selector, (canvases) => canvases.map((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted++;
    return painted;
  }));
}

/* The next line typed on stdin. */
function nextLine() {
  return new Promise((resolve) => {
    let buffer = '';
    const onData = (chunk) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve(buffer.slice(0, end).trim());
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', onData);
    process.stdin.resume();
  });
}

async function main(run) {
  try {
    await run();
    process.exit(0);
  } catch (error) {
    say('error', { message: String(error && error.stack || error) });
    process.exit(1);
  }
}

module.exports = { launch, say, canvasesDrawn, nextLine, main };
