// The tactus dashboard: reads the guarded API with the operator's token (kept in memory and
// sessionStorage, never in a cookie or URL), subscribes to the telemetry socket (the token rides
// as a subprotocol) and keeps live uPlot charts, tables and the event timeline up to date.
(() => {
  'use strict';

  const body = document.body;
  const prefix = body.dataset.prefix ?? '';
  const telemetryPath = body.dataset.telemetry ?? '/ws/telemetry';
  const TOKEN_KEY = 'tactus.token';
  const POINTS = 150;
  const MAX_SERIES = 10;
  const MAX_EVENTS = 200;
  const JOB_FIGURES = [['submitted', 'jobs submitted'], ['completed', 'jobs completed'], ['failed', 'jobs failed'], ['deadlineMissed', 'jobs missed'],
    ['throughputPerSecond', 'jobs / s'], ['queueSize', 'jobs queued'], ['running', 'jobs running']];
  const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

  const $ = (id) => document.getElementById(id);
  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className !== undefined) node.className = className;
    return node;
  };
  const fmt = (value, digits = 3) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');

  let token = window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  let socket;
  let retry;
  let readOnly = false;
  const tasks = new Map();
  const rows = new Map();
  const jitter = { chart: undefined, names: [], data: [[]] };
  const exec = { chart: undefined, names: [], data: [[]] };
  const MAX_DATA_TOPICS = 2;
  /** Sample fields that are bookkeeping, not signals. */
  const NOT_PLOTTED = new Set(['ts', 'seq', 'bytes']);
  /** Data-stream charts by topic (seed 002's worker streams). */
  const streams = new Map();

  function notice(text, kind = 'info') {
    const node = $('notice');
    node.textContent = text;
    node.dataset.kind = kind;
  }

  function setConnection(text, on) {
    const badge = $('connection');
    badge.textContent = text;
    badge.className = `badge ${on ? 'on' : 'off'}`;
  }

  function api(path, init = {}) {
    const headers = { ...(init.headers ?? {}) };
    if (token !== '') headers.authorization = `Bearer ${token}`;
    return fetch(`${prefix}${path}`, { ...init, headers, cache: 'no-store' });
  }

  async function errorText(response) {
    try {
      const json = await response.json();
      return `${response.status} ${json.code}: ${json.message}`;
    } catch {
      return `${response.status}`;
    }
  }

  // ---- charts ----

  function makeChart(target, names, holder) {
    holder.chart?.destroy();
    holder.names = names;
    holder.data = [[], ...names.map(() => [])];
    const width = Math.max(320, target.clientWidth || 480);
    holder.chart = new window.uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        axes: [{ stroke: '#bbb', grid: { stroke: '#333' } }, { stroke: '#bbb', grid: { stroke: '#333' }, size: 56 }],
        series: [{}, ...names.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }))],
        legend: { live: true },
      },
      holder.data,
      target,
    );
    target.dataset.points = '0';
  }

  function pushPoint(holder, target, t, values) {
    if (holder.chart === undefined) return;
    holder.data[0].push(t);
    values.forEach((value, i) => holder.data[i + 1].push(value));
    if (holder.data[0].length > POINTS) for (const column of holder.data) column.shift();
    holder.chart.setData(holder.data);
    target.dataset.points = String(Number(target.dataset.points) + 1);
  }

  function chartedTasks() {
    return [...tasks.values()]
      .filter((task) => task.kind === 'periodic' || task.kind === 'recurring' || task.isolated)
      .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name))
      .slice(0, MAX_SERIES)
      .map((task) => task.name);
  }

  function rebuildTaskCharts() {
    const names = chartedTasks();
    if (names.join('\n') === jitter.names.join('\n') && jitter.chart !== undefined) return;
    makeChart($('jitter-chart'), names, jitter);
    makeChart($('exec-chart'), names, exec);
  }

  // ---- tasks ----

  function taskRow(name) {
    let row = rows.get(name);
    if (row !== undefined) return row;
    const tr = el('tr');
    tr.dataset.task = name;
    const cells = {};
    for (const key of ['name', 'kind', 'priority', 'state', 'runs', 'misses', 'overruns', 'failed', 'jitter', 'exec']) {
      cells[key] = el('td');
      tr.append(cells[key]);
    }
    const action = el('td');
    const button = el('button', 'run now', 'run-now');
    button.type = 'button';
    button.dataset.task = name;
    button.hidden = readOnly;
    button.dataset.isolated = 'false';
    button.addEventListener('click', () => askRunNow(name));
    action.append(button);
    tr.append(action);
    $('tasks').tBodies[0].append(tr);
    row = { tr, cells };
    rows.set(name, row);
    return row;
  }

  function renderTask(task) {
    const { tr, cells } = taskRow(task.name);
    // A worker's loop runs in its worker, not on the scheduler: no run-now for it.
    const button = tr.querySelector('button.run-now');
    button.dataset.isolated = String(task.isolated === true);
    button.hidden = readOnly || task.isolated === true;
    const s = task.stats;
    cells.name.textContent = task.name;
    if (task.isolated) cells.name.append(el('span', 'isolated', 'tag'));
    cells.kind.textContent = task.kind ?? '';
    cells.priority.textContent = task.priorityName ?? String(task.priority ?? '');
    cells.state.textContent = task.state;
    cells.state.className = `state ${task.state}`;
    cells.runs.textContent = String(s.runs);
    cells.misses.textContent = String(s.deadlineMisses);
    cells.misses.className = s.deadlineMisses > 0 ? 'bad' : '';
    cells.overruns.textContent = String(s.overruns);
    cells.overruns.className = s.overruns > 0 ? 'warn' : '';
    cells.failed.textContent = String(s.failed);
    cells.jitter.textContent = fmt(s.jitterMs.p99);
    cells.exec.textContent = fmt(s.execMs.p99);
  }

  function removeTask(name) {
    tasks.delete(name);
    rows.get(name)?.tr.remove();
    rows.delete(name);
  }

  function onTasks(message) {
    if (message.full) {
      for (const name of [...tasks.keys()]) removeTask(name);
      for (const task of message.tasks) tasks.set(task.name, task);
    } else {
      for (const delta of message.tasks) {
        const task = tasks.get(delta.name) ?? { name: delta.name, kind: 'periodic', priority: 3, stats: {} };
        task.state = delta.state;
        Object.assign(task.stats, {
          runs: delta.runs,
          failed: delta.failed,
          overruns: delta.overruns,
          deadlineMisses: delta.deadlineMisses,
          jitterWarnings: delta.jitterWarnings,
          jitterMs: delta.jitterMs,
          execMs: delta.execMs,
        });
        task.delta = delta.d;
        tasks.set(delta.name, task);
      }
      for (const name of message.removed ?? []) removeTask(name);
    }
    for (const task of tasks.values()) renderTask(task);
    renderSummary(message.summary);
    rebuildTaskCharts();
    if (message.full) return;
    const t = Date.now() / 1000;
    const changed = new Map(message.tasks.map((delta) => [delta.name, delta]));
    pushPoint(jitter, $('jitter-chart'), t, jitter.names.map((name) => {
      const delta = changed.get(name);
      return delta === undefined ? null : (delta.d.jitterMeanMs ?? delta.jitterMs.p99);
    }));
    pushPoint(exec, $('exec-chart'), t, exec.names.map((name) => changed.get(name)?.d.execMeanMs ?? null));
  }

  function renderSummary(jobs) {
    const all = [...tasks.values()];
    const sum = (key) => all.reduce((n, task) => n + (task.stats?.[key] ?? 0), 0);
    const items = [
      ['tasks', all.length],
      ['runs', sum('runs')],
      ['deadline misses', sum('deadlineMisses')],
      ['overruns', sum('overruns')],
      ['failed', sum('failed')],
    ];
    if (jobs !== null && typeof jobs === 'object') {
      for (const [key, label] of JOB_FIGURES) {
        const value = jobs[key];
        if (typeof value === 'number') items.push([label, Number.isInteger(value) ? value : fmt(value, 1)]);
      }
    }
    const target = $('summary');
    target.replaceChildren(...items.map(([label, value]) => {
      const box = el('div', undefined, 'figure');
      box.append(el('span', String(value), 'value'), el('span', label, 'label'));
      return box;
    }));
  }

  // ---- workers, monitor, events, data ----

  function onWorkers(message) {
    const tbody = $('workers').tBodies[0];
    tbody.replaceChildren(...message.workers.map((w) => {
      const tr = el('tr');
      tr.dataset.worker = w.name;
      const age = w.heartbeatAgeMs;
      const data = w.data === undefined ? '–' : `${w.data.delivered} / ${w.data.dropped}`;
      for (const [text, className] of [
        [w.name], [w.isolation], [w.category ?? '–'], [w.state, `state ${w.state}`],
        [age === null || age === undefined ? '–' : `${fmt(age, 0)} ms`, age > 500 ? 'bad' : ''],
        [String(w.restarts), w.restarts > 0 ? 'warn' : ''], [String(w.generation)], [data],
      ]) tr.append(el('td', text, className));
      return tr;
    }));
  }

  const pairs = (record) => Object.entries(record ?? {}).map(([key, value]) => `${key}=${value}`).join(' ') || 'none';

  function onMonitor(message) {
    const snapshot = message.snapshot ?? {};
    $('hud').textContent = message.hud ?? '–';
    const backlog = snapshot.backlog;
    const loop = snapshot.eventLoop;
    const lines = [];
    if (backlog !== undefined) lines.push(`total ${backlog.total} | by category: ${pairs(backlog.byCategory)} | by queue: ${pairs(backlog.byQueue)}`);
    if (loop !== undefined) lines.push(`event loop: delay p99 ${fmt(loop.delayP99Ms, 1)} ms, max ${fmt(loop.delayMaxMs, 1)} ms, utilisation ${fmt(loop.utilization * 100, 0)} %`);
    if (snapshot.idle !== undefined) lines.push(`${snapshot.idle ? 'idle: safe to stop' : 'busy'}; stale: ${(snapshot.stale ?? []).join(', ') || 'none'}`);
    $('backlog').textContent = lines.join('\n') || '–';
  }

  function describeEvent(event) {
    const data = event.data ?? {};
    const parts = [];
    for (const key of ['name', 'loop', 'kind', 'delta', 'total', 'worker', 'from', 'to', 'state', 'reason', 'principal', 'lateMs', 'jitterMs', 'action', 'consecutive']) {
      const value = data[key];
      if (value !== undefined && value !== null) parts.push(`${key}=${typeof value === 'number' ? fmt(value, 2) : value}`);
    }
    if (data.error?.message !== undefined) parts.push(`error=${data.error.message}`);
    return parts.join(' ');
  }

  function onEvents(message) {
    const list = $('events');
    const time = new Date().toLocaleTimeString();
    for (const event of message.events) {
      const li = el('li', undefined, `event ${event.kind}`);
      li.append(el('span', time, 'time'), el('span', event.kind, 'kind'), el('span', describeEvent(event), 'detail'));
      list.prepend(li);
    }
    if (message.dropped > 0) list.prepend(el('li', `… ${message.dropped} events dropped`, 'event dropped'));
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  }

  function streamChart(topic) {
    let stream = streams.get(topic);
    if (stream !== undefined) return stream;
    const figure = el('figure');
    const caption = el('figcaption', `${topic} (latest sample per frame)`);
    const target = el('div', undefined, 'chart');
    target.id = `data-${topic}`;
    target.dataset.points = '0';
    figure.append(caption, target);
    $('charts').append(figure);
    stream = { chart: undefined, names: [], data: [[]], target };
    streams.set(topic, stream);
    return stream;
  }

  function onData(message) {
    const sample = message.sample;
    // A bridge message carries the decoded value beside its worker, sequence and timestamp.
    const value = sample !== null && typeof sample === 'object' && typeof sample.value === 'object' ? sample.value : sample;
    if (value === null || typeof value !== 'object') return;
    const fields = Object.keys(value).filter((key) => typeof value[key] === 'number' && !NOT_PLOTTED.has(key)).slice(0, 6);
    const stream = streamChart(message.topic);
    if (stream.chart === undefined || stream.names.join() !== fields.join()) makeChart(stream.target, fields, stream);
    pushPoint(stream, stream.target, Date.now() / 1000, fields.map((key) => value[key]));
  }

  // ---- run now ----

  function askRunNow(name) {
    $('run-now-task').textContent = name;
    $('run-now-reason').value = '';
    const dialog = $('run-now-dialog');
    dialog.dataset.task = name;
    dialog.showModal();
  }

  async function runNow(name, reason) {
    const response = await api(`/tasks/${encodeURIComponent(name)}/run-now`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
    if (response.ok) {
      const result = await response.json();
      notice(`run-now of ${name} accepted${result.coalesced ? ' (coalesced with the running run)' : ''}, audited as ${result.principal}`, 'ok');
    } else {
      notice(`run-now of ${name} refused: ${await errorText(response)}`, 'error');
    }
  }

  $('run-now-dialog').addEventListener('close', () => {
    const dialog = $('run-now-dialog');
    const reason = $('run-now-reason').value.trim();
    if (dialog.returnValue === 'run' && reason !== '') void runNow(dialog.dataset.task, reason);
  });

  // ---- connection ----

  function subscribe(topic, rateHz) {
    socket.send(JSON.stringify(rateHz === undefined ? { op: 'subscribe', topic } : { op: 'subscribe', topic, rateHz }));
  }

  function openSocket(dataTopics) {
    const url = new URL(telemetryPath, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url, ['tactus.v1', `tactus.token.${token}`]);
    socket.addEventListener('open', () => {
      setConnection('live', true);
      subscribe('tasks', 5);
      subscribe('workers', 2);
      subscribe('monitor', 1);
      subscribe('events');
      for (const topic of dataTopics.slice(0, MAX_DATA_TOPICS)) subscribe(topic, 20);
    });
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      switch (message.topic) {
        case 'tasks': return onTasks(message);
        case 'workers': return onWorkers(message);
        case 'monitor': return onMonitor(message);
        case 'events': return onEvents(message);
        case 'control': if (!message.ok) notice(`telemetry: ${message.code}: ${message.message}`, 'error'); return undefined;
        default: return onData(message);
      }
    });
    socket.addEventListener('close', () => {
      setConnection('disconnected', false);
      socket = undefined;
      if (token !== '') retry = window.setTimeout(connect, 2000);
    });
  }

  async function connect() {
    window.clearTimeout(retry);
    socket?.close();
    if (token === '') {
      notice('enter the token the service printed at start', 'info');
      return;
    }
    let response;
    try {
      response = await api('/status');
    } catch (error) {
      notice(`service unreachable: ${error}`, 'error');
      retry = window.setTimeout(connect, 2000);
      return;
    }
    if (!response.ok) {
      notice(`token refused: ${await errorText(response)}`, 'error');
      setConnection('unauthorised', false);
      return;
    }
    const status = await response.json();
    readOnly = status.readOnly === true;
    for (const row of rows.values()) {
      const button = row.tr.querySelector('button.run-now');
      button.hidden = readOnly || button.dataset.isolated === 'true';
    }
    notice(readOnly ? 'connected (read-only service)' : 'connected', 'ok');
    if (status.hud !== null) $('hud').textContent = status.hud;
    openSocket(status.telemetry?.dataTopics ?? []);
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    window.sessionStorage.setItem(TOKEN_KEY, token);
    void connect();
  });

  $('forget').addEventListener('click', () => {
    token = '';
    $('token').value = '';
    window.sessionStorage.removeItem(TOKEN_KEY);
    window.clearTimeout(retry);
    socket?.close();
    notice('token forgotten', 'info');
  });

  $('token').value = token;
  void connect();
})();
