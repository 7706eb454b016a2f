/* The live dashboard: the run's history and one event per --interval from
   /api/events (server-sent events), the console's commands as buttons. */
(function () {
  'use strict';
  const S = window.SwarmCharts;
  const $ = (id) => document.getElementById(id);
  const charts = new S.RunCharts($('charts'));
  let last = null;      // the latest live record
  let ended = false;    // the run has stopped

  // ------------------------------------------------------------ status
  function row(label, value) { return [label, value]; }
  function renderStatus(live) {
    const r = live.interval, t = live.since_start;
    $('elapsed').textContent = S.fmtElapsed(r.elapsed_s);
    $('target').textContent = S.fmtCount(r.target);
    $('open').textContent = S.fmtCount(r.open);
    $('rps').textContent = S.fmtRate(S.perSecond(r.requests, r));
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    $('eps').textContent = S.fmtRate(S.perSecond(errors, r));
    $('window').textContent = r.seconds > 0 ? '(last ' + r.seconds.toFixed(1) + 's)' : '';
    const states = S.STATES.map((s) => s + ' ' + S.fmtCount(r.in_state[s])).join('  ');
    const entered = S.STATES.map((s) => s + ' ' + S.fmtCount(t.entered[s])).join('  ');
    const m = live.memory, per = Math.max(1, r.open);
    const memory = m.connections + m.frames + m.spill + m.index;
    S.fillTable($('status'), ['', 'now / last interval', 'since start'], [
      ['connections', 'target ' + S.fmtCount(r.target) + '  open ' + S.fmtCount(r.open),
       'established ' + S.fmtCount(t.totals.connects) + '  attempts ' + S.fmtCount(t.totals.connect_attempts)],
      ['realtime', states, ''],
      ['aggregates', '', entered],
      ['connects/s', S.fmtRate(S.perSecond(r.connects, r)), S.fmtRate(t.totals.per_second.connects)],
      ['requests/s', S.fmtRate(S.perSecond(r.requests, r)), S.fmtRate(t.totals.per_second.requests)],
      ['replies/s', S.fmtRate(S.perSecond(r.replies, r)), S.fmtRate(t.totals.per_second.replies)],
      ['iterations/s', S.fmtRate(S.perSecond(r.iterations, r)), S.fmtRate(t.totals.per_second.iterations)],
      ['in/s', S.fmtBytes(S.perSecond(r.bytes_in, r)), S.fmtBytes(t.totals.per_second.bytes_in)],
      ['out/s', S.fmtBytes(S.perSecond(r.bytes_out, r)), S.fmtBytes(t.totals.per_second.bytes_out)],
      ['requests', S.fmtCount(r.requests), S.fmtCount(t.totals.requests)],
      ['replies', S.fmtCount(r.replies), S.fmtCount(t.totals.replies)],
      ['in flight', S.fmtCount(t.totals.in_flight), ''],
      ['memory', Math.round(memory / per) + 'B per connection', S.fmtBytes(m.module) + ' module'],
    ]);
    const reasons = Object.keys(t.errors.by_reason);
    S.fillTable($('errors'), ['errors', 'last interval', 'since start'],
                reasons.filter((k) => t.errors.by_reason[k] > 0 || r.errors[k] > 0)
                  .map((k) => [k, S.fmtCount(r.errors[k]), S.fmtCount(t.errors.by_reason[k])])
                  .concat([['all', S.fmtCount(errors), S.fmtCount(t.totals.errors)]]));
    const lat = (l) => [S.fmtUs(l.count ? l.p50 : null), S.fmtUs(l.count ? l.p90 : null),
                        S.fmtUs(l.count ? l.p99 : null), S.fmtUs(l.count ? l.max : null)];
    const rows = r.commands.map((c, i) => [c.name, S.fmtRate(S.perSecond(c.requests, r))]
      .concat(lat(c.latency), lat(t.commands[i] ? t.commands[i].latency : { count: 0 })));
    rows.push(['@connect', S.fmtRate(S.perSecond(r.connects, r))]
      .concat(lat(r.connect_time), lat(t.connect_time)));
    S.fillTable($('latency'), ['command', 'req/s', 'p50', 'p90', 'p99', 'max',
                               'p50', 'p90', 'p99', 'max'], rows);
    const messages = t.errors.messages.slice(0, 5)
      .map((e) => e.count + 'x "' + e.message + '"').join('; ');
    $('messages').textContent = messages ? 'script errors: ' + messages : '';
  }

  // ------------------------------------------------------------ agents
  // A fleet's controller lists its agents; a single swarm has none, and the
  // section stays hidden. The status waits for the table, so both show the
  // same moment (the open count must not run an interval ahead of the agents'
  // rows); an answer that comes after a newer one is dropped, so neither goes
  // back in time.
  let asked = 0, drawn = 0;
  function renderLive(live) {
    const seq = ++asked;
    const draw = (agents) => {
      if (seq <= drawn) return;
      drawn = seq;
      if (agents) renderAgents(agents);
      renderStatus(live);
    };
    fetch('/api/agents').then((r) => r.json()).then(draw, () => draw(null));
  }
  function renderAgents(agents) {
    $('agents').hidden = agents.length === 0;
    const seen = (s) => (s === null ? 'never' : s.toFixed(1) + 's ago');
    S.fillTable($('agent-table'),
      ['agent', 'state', 'share', 'open', 'requests', 'errors', 'last answer', ''],
      agents.map((a) => [a.address, a.state, S.fmtCount(a.share), S.fmtCount(a.open),
                         S.fmtCount(a.requests), S.fmtCount(a.errors), seen(a.last_seen_s), a.note]));
  }

  // ------------------------------------------------------------ events
  function setState(text, stopped) {
    $('state').textContent = text;
    $('state').classList.toggle('stopped', !!stopped);
  }
  const events = new EventSource('/api/events');
  events.addEventListener('history', (e) => {
    const h = JSON.parse(e.data);
    charts.setIntervals(h.intervals);
    last = h.live;
    renderLive(h.live);
    setState('running', false);
  });
  events.addEventListener('interval', (e) => {
    last = JSON.parse(e.data);
    charts.add(last.interval);
    renderLive(last);
  });
  events.addEventListener('end', (e) => {
    ended = true;
    events.close();
    setState('stopped: ' + JSON.parse(e.data).reason, true);
    for (const id of ['incr', 'decr', 'set-rate', 'stop']) $(id).disabled = true;
  });
  events.onerror = () => { if (!ended) setState('connection lost, retrying…', true); };

  fetch('/api/config').then((r) => r.json()).then((c) => S.renderConfig($('config'), c))
    .catch(() => {});

  // ---------------------------------------------------------- controls
  function answer(text, error) {
    $('answer').textContent = text;
    $('answer').classList.toggle('error', !!error);
  }
  async function command(name, body) {
    try {
      const response = await fetch('/api/' + name, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body || {}),
      });
      const reply = await response.json();
      if (!reply.ok) {
        answer(name + ': ' + reply.error, true);
        return reply;
      }
      const warnings = reply.warnings && reply.warnings.length ? ' — ' + reply.warnings.join(' ') : '';
      answer(name + (body && body.n ? ' ' + body.n : '') + (body && body.r !== undefined ? ' ' + body.r : '') + ': ' + reply.reply +
             (reply.target !== undefined ? ' (target ' + S.fmtCount(reply.target) + ')' : '') + warnings);
      return reply;
    } catch (error) {
      answer(name + ': ' + error, true);
      return null;
    }
  }
  function count() {
    const text = $('count').value.trim();
    return /^[0-9]+$/.test(text) ? Number(text) : text;
  }
  $('incr').addEventListener('click', () => command('incr', { n: count() }));
  $('decr').addEventListener('click', () => command('decr', { n: count() }));
  $('set-rate').addEventListener('click', () => {
    const text = $('rate').value.trim();
    command('rate', { r: /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : (text || 'off') });
  });
  $('stop').addEventListener('click', () => $('confirm-stop').showModal());
  $('stop-cancel').addEventListener('click', () => $('confirm-stop').close());
  $('stop-confirm').addEventListener('click', () => {
    $('confirm-stop').close();
    command('stop');
  });

  window.swarmDashboard = {
    charts,
    pointCount: () => charts.pointCount(),
    intervals: () => charts.records.length,
    live: () => last,
  };
})();
