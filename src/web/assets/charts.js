/* Charts over a run's interval records (the JSON report's "intervals"),
   shared by the live dashboard and the HTML report, drawn with Chart.js.
   Everything here is plain browser JavaScript: no build step. */
(function (global) {
  'use strict';

  const STATES = ['connecting', 'acting', 'standby', 'backoff'];
  const COLORS = ['#2f6fde', '#e08a1e', '#2e8b57', '#c6392f', '#7b52c7', '#1f9bb0',
                  '#b0457d', '#6b7a1f', '#555555', '#d4a017', '#3c3c9c', '#8c564b'];
  const DASHES = { p50: [], p90: [6, 3], p99: [2, 2] };

  // ---------------------------------------------------------------- units
  function fmtUs(us) {
    if (us === null || us === undefined) return '-';
    if (us < 1000) return Math.round(us) + 'us';
    if (us < 10000) return (us / 1000).toFixed(2) + 'ms';
    if (us < 100000) return (us / 1000).toFixed(1) + 'ms';
    if (us < 1000000) return Math.round(us / 1000) + 'ms';
    return (us / 1e6).toFixed(2) + 's';
  }
  function fmtCount(n) {
    if (n === null || n === undefined) return '-';
    return Math.round(n).toLocaleString('en-US');
  }
  function fmtRate(r) {
    if (!isFinite(r)) return '-';
    if (r < 100) return r.toFixed(1);
    return Math.round(r).toLocaleString('en-US');
  }
  function fmtBytes(b) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? Math.round(b) : b.toFixed(1)) + units[i];
  }
  function fmtElapsed(s) {
    s = Math.max(0, s);
    if (s < 60) return s.toFixed(1) + 's';
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    const two = (n) => String(n).padStart(2, '0');
    return h > 0 ? h + 'h' + two(m) + 'm' + two(sec) + 's' : m + 'm' + two(sec) + 's';
  }
  function perSecond(count, record) {
    return record.seconds > 0 ? count / record.seconds : 0;
  }

  // ---------------------------------------------------------------- charts
  function baseOptions(yTitle, logarithmic) {
    return {
      animation: false,
      parsing: false,
      normalized: true,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.6, tension: 0 } },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'elapsed (s)' }, ticks: { maxTicksLimit: 10 } },
        y: { type: logarithmic ? 'logarithmic' : 'linear', beginAtZero: !logarithmic,
             title: { display: true, text: yTitle } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        decimation: { enabled: true, algorithm: 'lttb', samples: 600 },
        tooltip: { callbacks: { title: (items) => items.length ? fmtElapsed(items[0].parsed.x) : '' } },
      },
    };
  }

  /* One chart: series named by key, each a function of a record. */
  class SeriesChart {
    constructor(canvas, title, yTitle, seriesOf, logarithmic) {
      this.seriesOf = seriesOf;  // record -> [{key, label, y, color?, dash?}]
      this.keys = new Map();     // key -> dataset
      this.chart = new Chart(canvas, {
        type: 'line',
        data: { datasets: [] },
        options: Object.assign(baseOptions(yTitle, logarithmic), {}),
      });
      this.chart.options.plugins.title = { display: true, text: title };
    }
    dataset(series) {
      let set = this.keys.get(series.key);
      if (!set) {
        const color = series.color || COLORS[this.keys.size % COLORS.length];
        set = { label: series.label, data: [], borderColor: color, backgroundColor: color,
                borderDash: series.dash || [], spanGaps: false };
        this.keys.set(series.key, set);
        this.chart.data.datasets.push(set);
      }
      return set;
    }
    push(record) {
      for (const s of this.seriesOf(record)) {
        this.dataset(s).data.push({ x: record.elapsed_s, y: s.y });
      }
    }
    clear() {
      this.keys.clear();
      this.chart.data.datasets.length = 0;
    }
    update() { this.chart.update('none'); }
    points() {
      let n = 0;
      for (const set of this.chart.data.datasets) n += set.data.filter((p) => p.y !== null).length;
      return n;
    }
  }

  function connectionSeries(r) {
    const out = [{ key: 'target', label: 'target', y: r.target, color: '#999999', dash: [6, 3] },
                 { key: 'open', label: 'open', y: r.open, color: '#1d2430' }];
    STATES.forEach((state, i) => out.push({ key: state, label: state, y: r.in_state[state],
                                            color: COLORS[i] }));
    return out;
  }
  function throughputSeries(r) {
    return [{ key: 'requests', label: 'requests/s', y: perSecond(r.requests, r), color: COLORS[0] },
            { key: 'replies', label: 'replies/s', y: perSecond(r.replies, r), color: COLORS[2] },
            { key: 'connects', label: 'connects/s', y: perSecond(r.connects, r), color: COLORS[1] }];
  }
  function errorSeries(r) {
    // A reason shows once it has happened; before that its line would be 0.
    const all = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const out = [{ key: '*', label: 'all reasons', y: perSecond(all, r), color: '#1d2430' }];
    for (const [reason, count] of Object.entries(r.errors)) {
      out.push({ key: reason, label: reason, y: perSecond(count, r), sparse: count === 0 });
    }
    return out;
  }
  function latencySeries(r) {
    const out = [];
    r.commands.forEach((c, i) => {
      for (const p of ['p50', 'p90', 'p99']) {
        out.push({ key: c.name + ' ' + p, label: c.name + ' ' + p,
                   y: c.latency.count > 0 ? c.latency[p] / 1000 : null,
                   color: COLORS[i % COLORS.length], dash: DASHES[p] });
      }
    });
    return out;
  }

  /* The four charts of a run, in `root`'s canvases (data-chart="..."). */
  class RunCharts {
    constructor(root) {
      const canvas = (name) => root.querySelector('[data-chart="' + name + '"]');
      this.records = [];
      this.seen = new Set();  // error reasons that happened
      this.connections = new SeriesChart(canvas('connections'), 'Connections by state',
                                         'connections', connectionSeries, false);
      this.throughput = new SeriesChart(canvas('throughput'), 'Requests and replies per second',
                                        'per second', throughputSeries, false);
      this.errors = new SeriesChart(canvas('errors'), 'Errors per second by reason',
                                    'errors/s', (r) => this.errorsOf(r), false);
      this.latency = new SeriesChart(canvas('latency'), 'Latency per command (p50, p90, p99)',
                                     'ms', latencySeries, true);
      this.all = [this.connections, this.throughput, this.errors, this.latency];
    }
    errorsOf(r) {
      return errorSeries(r).filter((s) => s.key === '*' || this.seen.has(s.key));
    }
    /* Replaces everything with `records`. */
    setIntervals(records) {
      this.records = records.slice();
      this.rebuild();
    }
    /* Adds the next interval. */
    add(record) {
      this.records.push(record);
      const fresh = Object.entries(record.errors).some(([k, v]) => v > 0 && !this.seen.has(k));
      if (fresh) {
        this.rebuild();  // a new reason: its line starts at zero from the start
        return;
      }
      for (const chart of this.all) chart.push(record);
      for (const chart of this.all) chart.update();
    }
    rebuild() {
      for (const r of this.records) {
        for (const [k, v] of Object.entries(r.errors)) if (v > 0) this.seen.add(k);
      }
      for (const chart of this.all) {
        chart.clear();
        for (const r of this.records) chart.push(r);
        chart.update();
      }
    }
    /* Points drawn in every chart together (for tests and the page). */
    pointCount() {
      return this.all.reduce((n, chart) => n + chart.points(), 0);
    }
  }

  // ------------------------------------------------- latency distribution
  /* A command's latency distribution from the report's buckets
     [[lowest, highest, count], ...] (µs): shares of requests in bins of
     1/8 of a power of two, on a logarithmic axis in ms. */
  function distributionChart(canvas, name, latency) {
    const bins = new Map();
    const total = latency.count || 1;
    for (const [low, high, count] of latency.histogram.buckets) {
      const mid = (low + high) / 2;
      const bin = Math.floor(Math.log2(Math.max(mid, 1)) * 8);
      bins.set(bin, (bins.get(bin) || 0) + count);
    }
    const keys = [...bins.keys()].sort((a, b) => a - b);
    const data = keys.map((bin) => ({ x: Math.pow(2, (bin + 0.5) / 8) / 1000,
                                      y: (100 * bins.get(bin)) / total }));
    const options = baseOptions('% of values', false);
    options.scales.x = { type: 'logarithmic', title: { display: true, text: 'latency (ms)' } };
    options.plugins.title = { display: true, text: name + ': latency distribution' };
    options.plugins.legend = { display: false };
    options.plugins.tooltip = { callbacks: { title: (items) => items.length ? fmtUs(items[0].parsed.x * 1000) : '' } };
    options.elements.point.radius = 1.5;
    return new Chart(canvas, {
      type: 'line',
      data: { datasets: [{ label: name, data, borderColor: COLORS[0],
                           backgroundColor: 'rgba(47,111,222,0.18)', fill: true }] },
      options,
    });
  }

  // ----------------------------------------------------------- tables
  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }
  /* Fills a <table> with a header row and rows of cells. */
  function fillTable(table, header, rows) {
    table.textContent = '';
    const head = table.createTHead().insertRow();
    for (const h of header) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const value of row) tr.appendChild(value instanceof Node ? value : cell(value));
    }
  }
  function flagText(value) {
    if (value === null) return '-';
    if (Array.isArray(value)) return value.length ? value.join(', ') : '-';
    return String(value);
  }
  /* The configuration: command line, flags, plan, module, host. */
  function renderConfig(root, config) {
    root.querySelector('[data-config="argv"]').textContent = config.argv.join(' ');
    fillTable(root.querySelector('[data-config="flags"]'), ['flag', 'value'],
              Object.entries(config.flags).map(([k, v]) => ['--' + k, cell(flagText(v), 'text')]));
    root.querySelector('[data-config="plan"]').textContent = config.plan.text;
    root.querySelector('[data-config="module"]').textContent =
      config.module.name + ' (' + config.module.kind + ', ' + config.module.path + ')';
    root.querySelector('[data-config="host"]').textContent =
      config.host.name + ', ' + config.host.kernel + ', ' + config.host.cores + ' cores';
  }

  global.SwarmCharts = { RunCharts, distributionChart, fillTable, renderConfig, cell,
                         fmtUs, fmtCount, fmtRate, fmtBytes, fmtElapsed, perSecond, STATES };
})(window);
