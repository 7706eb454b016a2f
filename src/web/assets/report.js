/* The HTML report: everything comes from the JSON report inlined in the
   page (#swarm-report); nothing is fetched. */
(function () {
  'use strict';
  const S = window.SwarmCharts;
  const $ = (id) => document.getElementById(id);
  const report = JSON.parse($('swarm-report').textContent);

  function header() {
    const passed = report.thresholds.passed;
    $('verdict').textContent = report.thresholds.list.length === 0 ? 'done'
      : passed ? 'thresholds pass' : 'thresholds FAIL';
    $('verdict').classList.toggle('stopped', !passed);
    $('started').textContent = report.config.started_at;
    $('duration').textContent = S.fmtElapsed(report.duration_s);
    $('reason').textContent = report.stop.reason;
    $('exit').textContent = report.stop.exit_status;
    $('version').textContent = report.swarm.version;
  }

  function totals() {
    const t = report.totals, c = report.connections;
    S.fillTable($('totals'), ['', 'count', 'per second'], [
      ['requests', S.fmtCount(t.requests), S.fmtRate(t.per_second.requests)],
      ['replies', S.fmtCount(t.replies), S.fmtRate(t.per_second.replies)],
      ['sent, no reply awaited', S.fmtCount(t.no_reply), ''],
      ['failed', S.fmtCount(t.failed), ''],
      ['abandoned (decr, stop)', S.fmtCount(t.abandoned), ''],
      ['in flight at the end', S.fmtCount(t.in_flight), ''],
      ['iterations', S.fmtCount(t.iterations), S.fmtRate(t.per_second.iterations)],
      ['errors', S.fmtCount(t.errors), ''],
      ['bytes in', S.fmtBytes(t.bytes_in), S.fmtBytes(t.per_second.bytes_in)],
      ['bytes out', S.fmtBytes(t.bytes_out), S.fmtBytes(t.per_second.bytes_out)],
    ]);
    const states = S.STATES.map((s) => s + ' ' + S.fmtCount(c.in_state_at_stop[s])).join('  ');
    S.fillTable($('connections'), ['connections', ''], [
      ['target', S.fmtCount(c.target)],
      ['open at the stop', S.fmtCount(c.open_at_stop)],
      ['by state at the stop', states],
      ['established', S.fmtCount(c.established)],
      ['connect attempts', S.fmtCount(c.attempts)],
      ['SYN retries', S.fmtCount(c.syn_retries)],
      ['connect time p50 / p99 / max',
       [c.connect_time.p50, c.connect_time.p99, c.connect_time.max].map(S.fmtUs).join(' / ')],
    ]);
  }

  function latency() {
    const points = ['p50', 'p90', 'p99', 'p99.9', 'p99.99'];
    const line = (name, l) => [name, S.fmtCount(l.count), S.fmtUs(l.count ? l.min : null),
                               S.fmtUs(l.count ? l.mean : null)]
      .concat(points.map((p) => S.fmtUs(l.count ? l[p] : null)), [S.fmtUs(l.count ? l.max : null)]);
    const rows = report.commands.map((c) => line(c.name, c.latency));
    rows.push(line('@connect', report.connections.connect_time));
    S.fillTable($('latency'), ['command', 'replies', 'min', 'mean'].concat(points, ['max']), rows);
    const holder = $('distributions');
    const all = report.commands.map((c) => [c.name, c.latency])
      .concat([['@connect', report.connections.connect_time]]);
    for (const [name, l] of all) {
      if (!l.count) continue;
      const box = document.createElement('div');
      box.className = 'chart';
      const canvas = document.createElement('canvas');
      canvas.dataset.distribution = name;
      box.appendChild(canvas);
      holder.appendChild(box);
      S.distributionChart(canvas, name, l);
    }
  }

  function errors() {
    const by = report.errors.by_reason;
    const rows = Object.keys(by).filter((k) => by[k] > 0).map((k) => [k, S.fmtCount(by[k])]);
    S.fillTable($('errors'), ['reason', 'count'], rows.length ? rows : [['none', '0']]);
    const messages = report.errors.messages.map((m) => [S.cell(m.message, 'text'), S.fmtCount(m.count)]);
    S.fillTable($('messages'), ['script error message', 'count'],
                messages.length ? messages : [['none', '']]);
  }

  function thresholds() {
    const list = report.thresholds.list;
    S.fillTable($('thresholds'), ['threshold', 'value', 'verdict', 'from'],
                list.length ? list.map((t) => [S.cell(t.expression, 'text'), t.shown,
                                               S.cell(t.pass ? 'pass' : 'FAIL', t.pass ? 'pass' : 'fail'),
                                               S.cell(t.source, 'text')])
                  : [['none', '', '', '']]);
  }

  header();
  totals();
  const charts = new S.RunCharts($('charts'));
  charts.setIntervals(report.intervals);
  latency();
  errors();
  thresholds();
  S.renderConfig($('config'), report.config);
  window.swarmReport = { charts, pointCount: () => charts.pointCount(), report };
})();
