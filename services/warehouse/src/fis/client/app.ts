/// <reference lib="dom" />
/**
 * The FIS web view in the browser (compiled to dist/fis/client/app.js, loaded by /fis). A plain
 * script, no module system: ECharts comes as the global `echarts` from /fis/echarts.min.js.
 *
 * Flow: token from the URL fragment (`#token=…`) or the login field, kept in sessionStorage and
 * sent as Bearer header; the dashboards (definitions without SQL) from the API; per dashboard the
 * variables with the options this user may choose, then each panel's rows. The route lives in the
 * fragment (`#/indikator-atlas?tenant=01001&indicator=…`), so links, back and reload work.
 */

interface EChart {
  setOption(option: unknown, notMerge?: boolean): void;
  resize(): void;
  dispose(): void;
  isDisposed(): boolean;
  getDom(): HTMLElement;
  on(event: 'click', handler: (params: { dataIndex: number; seriesIndex?: number; name: string; data?: unknown }) => void): void;
}
declare const echarts: { init(element: HTMLElement, theme?: string | null, options?: { renderer?: 'canvas' | 'svg' }): EChart; registerMap(name: string, geoJson: unknown): void };

interface ValueColumn {
  column: string;
  label: string;
  unit?: string;
  decimals?: number;
  suppressed?: string;
}
interface TableColumn extends ValueColumn {
  kind: 'text' | 'number' | 'date' | 'status';
}
interface DrillDown {
  to: string;
  title: string;
  set: Record<string, string>;
}
interface PanelBase {
  key: string;
  title: string;
  description: string;
  grid: { x: number; y: number; w: number; h: number };
  drillDown?: DrillDown;
}
type Panel =
  | (PanelBase & { kind: 'stat'; label: string; value: ValueColumn; previous?: string; color?: string; note?: string })
  | (PanelBase & { kind: 'timeseries'; time: string; series: string; value: ValueColumn })
  | (PanelBase & { kind: 'bar'; category: string; values: ValueColumn[]; horizontal?: boolean })
  | (PanelBase & { kind: 'table'; columns: TableColumn[] })
  | (PanelBase & { kind: 'map'; area: string; label: string; value: ValueColumn; geometry: string });
interface Dashboard {
  id: string;
  title: string;
  description: string;
  variables: Array<{ name: string; label: string; description: string }>;
  panels: Panel[];
}
interface Variable {
  name: string;
  label: string;
  description: string;
  options: Array<{ value: string; label: string }>;
  value: string | null;
}
type Row = Record<string, unknown>;
interface PanelResult {
  columns: string[];
  rows: Row[];
  missing: string[];
}

const TOKEN_KEY = 'lagebild.fis.token';
const API = '/api/warehouse/fis';
const SUPPRESSED = 'gesperrt';
const PALETTE = ['#0b5cad', '#e07b00', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#5f6b7a'];

class AuthError extends Error {}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let dashboards: Dashboard[] = [];
let charts: EChart[] = [];
let generation = 0;

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Takes `#token=…` from the fragment once, keeps it for this browser tab and removes it from the address bar. */
function takeTokenFromFragment(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]!));
  history.replaceState(null, '', `${location.pathname}#/uebersicht`);
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${API}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token() ?? ''}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 401) throw new AuthError('Die Anmeldung ist ungültig oder abgelaufen. Bitte melden Sie sich erneut an.');
  const payload: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = (payload as { detail?: unknown }).detail;
    throw new Error(typeof detail === 'string' ? detail : `Anfrage fehlgeschlagen (${response.status}).`);
  }
  return payload as T;
}

function route(): { id: string; values: Record<string, string> } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const values: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) values[k] = v;
  return { id: path || 'uebersicht', values };
}

function href(id: string, values: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined && v !== '') params.set(k, v);
  const query = params.toString();
  return `#/${id}${query ? `?${query}` : ''}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
  if (text !== undefined) element.textContent = text;
  return element;
}

// ---- formatting (German) ----

function asNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function unitOf(column: ValueColumn, row: Row): string {
  if (!column.unit) return '';
  if (column.unit.startsWith('column:')) return String(row[column.unit.slice('column:'.length)] ?? '');
  return column.unit;
}

function formatNumber(n: number, unit: string, decimals: number | undefined): string {
  if (unit === 'EUR') return n.toLocaleString('de-DE', { style: 'currency', currency: 'EUR', maximumFractionDigits: decimals ?? 0 });
  const text = n.toLocaleString('de-DE', { minimumFractionDigits: decimals ?? 0, maximumFractionDigits: decimals ?? 2 });
  return unit ? `${text} ${unit}` : text;
}

function isSuppressed(column: ValueColumn, row: Row): boolean {
  return column.suppressed !== undefined && (row[column.suppressed] === true || row[column.suppressed] === 1) && asNumber(row[column.column]) === null;
}

/** Text of a value cell: „gesperrt“ for a suppressed value (never 0), a dash for a missing one. */
function valueText(column: ValueColumn, row: Row): string {
  if (isSuppressed(column, row)) return SUPPRESSED;
  const n = asNumber(row[column.column]);
  return n === null ? '–' : formatNumber(n, unitOf(column, row), column.decimals);
}

function dateText(value: unknown): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value ?? ''));
  return m ? `${m[3]}.${m[2]}.${m[1]}` : '';
}

// ---- page ----

function showLogin(message = ''): void {
  byId('anmeldung').hidden = false;
  byId('dashboard').hidden = true;
  byId('abmelden').hidden = true;
  byId('anmeldefehler').textContent = message;
  byId<HTMLInputElement>('token').focus();
}

function renderNavigation(current: string): void {
  const nav = byId('navigation');
  nav.replaceChildren(
    ...dashboards.map((d) => {
      const a = el('a', { href: href(d.id, {}) }, d.title);
      if (d.id === current) a.setAttribute('aria-current', 'page');
      return a;
    }),
  );
}

function drillHref(link: DrillDown, variables: Variable[], row: Row): string {
  const target = dashboards.find((d) => d.id === link.to);
  const values: Record<string, string | null> = {};
  for (const v of target?.variables ?? []) {
    const column = link.set[v.name];
    values[v.name] = column ? String(row[column] ?? '') : (variables.find((x) => x.name === v.name)?.value ?? null);
  }
  return href(link.to, values);
}

function renderVariables(dashboard: Dashboard, variables: Variable[]): void {
  const form = byId<HTMLFormElement>('variablen');
  form.replaceChildren(
    ...variables.map((v) => {
      const label = el('label', { title: v.description }, v.label);
      const select = el('select', { name: v.name, 'aria-label': v.label });
      if (v.options.length === 0) select.append(el('option', { value: '' }, 'keine Daten'));
      for (const o of v.options) {
        const option = el('option', { value: o.value }, o.label);
        if (o.value === v.value) option.selected = true;
        select.append(option);
      }
      select.disabled = v.options.length === 0;
      select.addEventListener('change', () => {
        const values = Object.fromEntries(variables.map((x) => [x.name, x.value]));
        values[v.name] = select.value;
        // Variables after the changed one may no longer fit: let the server choose them again.
        const index = variables.indexOf(v);
        for (const later of variables.slice(index + 1)) if (later.name !== 'audience') values[later.name] = null;
        location.hash = href(dashboard.id, values);
      });
      label.append(select);
      return label;
    }),
  );
}

function panelShell(panel: Panel): { root: HTMLElement; body: HTMLElement } {
  const root = el('section', { class: 'panel', 'data-panel': panel.key, 'data-kind': panel.kind, 'data-state': 'loading', 'aria-labelledby': `titel-${panel.key}` });
  root.style.gridColumn = `${panel.grid.x + 1} / span ${panel.grid.w}`;
  root.style.gridRow = `${panel.grid.y + 1} / span ${panel.grid.h}`;
  root.append(el('h2', { id: `titel-${panel.key}` }, panel.title), el('p', { class: 'hilfe' }, panel.description));
  const body = el('div', { class: 'inhalt' });
  body.append(el('p', { class: 'leer' }, 'Wird geladen …'));
  root.append(body);
  return { root, body };
}

function renderStat(panel: Extract<Panel, { kind: 'stat' }>, rows: Row[], variables: Variable[]): HTMLElement {
  const tiles = el('div', { class: 'kacheln' });
  for (const row of rows) {
    const tile = panel.drillDown ? el('a', { href: drillHref(panel.drillDown, variables, row), title: panel.drillDown.title }) : el('div');
    tile.className = `kachel ${panel.color ? String(row[panel.color] ?? '') : ''}`;
    tile.append(el('div', { class: 'name' }, String(row[panel.label] ?? '')));
    const value = el('div', { class: 'wert' });
    const text = valueText(panel.value, row);
    const shown = el('span', text === SUPPRESSED ? { class: 'gesperrt', title: 'Wert wegen Geheimhaltung gesperrt' } : {}, text);
    value.append(shown);
    const now = asNumber(row[panel.value.column]);
    const before = panel.previous ? asNumber(row[panel.previous]) : null;
    if (now !== null && before !== null) {
      const arrow = now > before ? '▲' : now < before ? '▼' : '▶';
      value.append(el('span', { class: 'trend', title: `Vorwert ${formatNumber(before, unitOf(panel.value, row), panel.value.decimals)}` }, arrow));
    }
    tile.append(value);
    if (panel.note && row[panel.note]) tile.append(el('div', { class: 'notiz' }, String(row[panel.note])));
    else if (before !== null) tile.append(el('div', { class: 'notiz' }, `Vorwert: ${formatNumber(before, unitOf(panel.value, row), panel.value.decimals)}`));
    tiles.append(tile);
  }
  return tiles;
}

function renderTable(panel: Extract<Panel, { kind: 'table' }>, rows: Row[], variables: Variable[]): HTMLElement {
  const table = el('table');
  table.append(el('caption', { class: 'skip' }, panel.title));
  const head = el('tr');
  for (const c of panel.columns) head.append(el('th', { scope: 'col', class: c.kind === 'number' ? 'zahl' : '' }, c.label));
  table.append(el('thead'));
  table.tHead!.append(head);
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr');
    panel.columns.forEach((c, i) => {
      const td = el('td', { class: c.kind === 'number' ? 'zahl' : c.kind === 'status' ? 'status' : '' });
      let text: string;
      if (c.kind === 'number') text = valueText(c, row);
      else if (c.kind === 'date') text = dateText(row[c.column]);
      else text = String(row[c.column] ?? '');
      if (text === SUPPRESSED) td.append(el('span', { class: 'gesperrt', title: 'Wert wegen Geheimhaltung gesperrt' }, text));
      else if (i === 0 && panel.drillDown) td.append(el('a', { href: drillHref(panel.drillDown, variables, row), title: panel.drillDown.title }, text));
      else td.textContent = text;
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(body);
  return table;
}

function chartIn(body: HTMLElement): EChart {
  const box = el('div', { class: 'chart', role: 'img' });
  body.replaceChildren(box);
  const chart = echarts.init(box, null, { renderer: 'canvas' });
  charts.push(chart);
  return chart;
}

// No animation: figures stand still on a projector, in print and in screenshots.
const TEXT_STYLE = { fontFamily: 'system-ui, sans-serif', fontSize: 14 };

function renderTimeSeries(panel: Extract<Panel, { kind: 'timeseries' }>, rows: Row[], body: HTMLElement): void {
  const times = [...new Set(rows.map((r) => String(r[panel.time])))].sort();
  const names = [...new Set(rows.map((r) => String(r[panel.series])))];
  const chart = chartIn(body);
  body.firstElementChild!.setAttribute('aria-label', `${panel.title}: ${names.join(', ')}`);
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    color: PALETTE,
    textStyle: TEXT_STYLE,
    grid: { left: 60, right: 30, top: 24, bottom: 70 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (asNumber(v) === null ? '–' : formatNumber(asNumber(v)!, panel.value.unit ?? '', panel.value.decimals)) },
    legend: { bottom: 0, type: 'scroll' },
    xAxis: { type: 'category', data: times.map(dateText), boundaryGap: false },
    // Shares start at zero (a line of 28 to 30 % must not look like a leap); other values fit their range.
    yAxis: { type: 'value', scale: panel.value.unit !== '%', axisLabel: { formatter: (v: number) => formatNumber(v, panel.value.unit === 'EUR' ? 'EUR' : '', panel.value.unit === 'EUR' ? 0 : undefined) } },
    series: names.map((name) => ({
      name,
      type: 'line',
      symbolSize: 8,
      // Every point marked: a yearly series has few, and an isolated one (neighbours suppressed) must stay visible.
      showSymbol: true,
      connectNulls: false,
      data: times.map((t) => asNumber(rows.find((r) => String(r[panel.time]) === t && String(r[panel.series]) === name)?.[panel.value.column])),
    })),
  });
}

function renderBar(panel: Extract<Panel, { kind: 'bar' }>, rows: Row[], body: HTMLElement, variables: Variable[]): void {
  const categories = rows.map((r) => {
    const name = String(r[panel.category] ?? '');
    return panel.values.some((v) => isSuppressed(v, r)) ? `${name} (${SUPPRESSED})` : name;
  });
  const chart = chartIn(body);
  body.firstElementChild!.setAttribute('aria-label', `${panel.title}: ${categories.length} Einträge`);
  const horizontal = panel.horizontal === true;
  const categoryAxis = { type: 'category', data: categories, inverse: horizontal, axisLabel: { width: horizontal ? 170 : Math.max(90, Math.floor(body.clientWidth / Math.max(1, categories.length)) - 10), overflow: horizontal ? 'truncate' : 'break', interval: 0, rotate: horizontal ? 0 : categories.length > 6 ? 30 : 0 } };
  const valueAxis = { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v, panel.values[0]?.unit === 'EUR' ? 'EUR' : '', 0) } };
  const many = categories.length > 20;
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    color: PALETTE,
    textStyle: TEXT_STYLE,
    grid: { left: horizontal ? 185 : 70, right: horizontal ? 70 : 30, top: 30, bottom: horizontal ? 30 : 80 },
    legend: { top: 0, show: panel.values.length > 1 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    ...(many ? { dataZoom: [{ type: 'slider', [horizontal ? 'yAxisIndex' : 'xAxisIndex']: 0, startValue: 0, endValue: 19 }] } : {}),
    series: panel.values.map((v) => ({
      name: v.label,
      type: 'bar',
      data: rows.map((r) => asNumber(r[v.column])),
      // Value labels where they fit: one series and not too many bars (a suppressed bar has none; its category says „gesperrt“).
      label: { show: panel.values.length === 1 && categories.length <= 30, position: horizontal ? 'right' : 'top', formatter: (p: { value: unknown }) => (asNumber(p.value) === null ? '' : formatNumber(asNumber(p.value)!, v.unit ?? '', v.decimals)) },
      tooltip: { valueFormatter: (x: unknown) => (asNumber(x) === null ? SUPPRESSED : formatNumber(asNumber(x)!, v.unit ?? '', v.decimals)) },
    })),
  });
  const link = panel.drillDown;
  if (link) chart.on('click', (p) => void (location.hash = drillHref(link, variables, rows[p.dataIndex]!)));
}

let mapCount = 0;

function renderMap(panel: Extract<Panel, { kind: 'map' }>, rows: Row[], body: HTMLElement, variables: Variable[]): void {
  const features = rows.flatMap((r) => {
    try {
      return [{ type: 'Feature', properties: { name: String(r[panel.area]) }, geometry: JSON.parse(String(r[panel.geometry])) as unknown }];
    } catch {
      return [];
    }
  });
  const name = `fis-karte-${(mapCount += 1)}`;
  echarts.registerMap(name, { type: 'FeatureCollection', features });
  const values = rows.map((r) => asNumber(r[panel.value.column])).filter((v): v is number => v !== null);
  const chart = chartIn(body);
  body.firstElementChild!.setAttribute('aria-label', `${panel.title}: ${rows.length} Gebiete`);
  const labels = new Map(rows.map((r) => [String(r[panel.area]), String(r[panel.label] ?? '')]));
  chart.setOption({
    aria: { enabled: true },
    animation: false,
    textStyle: TEXT_STYLE,
    tooltip: {
      trigger: 'item',
      formatter: (p: { name: string; data?: { text?: string } }) => `${labels.get(p.name) ?? p.name}: ${p.data?.text ?? '–'}`,
    },
    visualMap: values.length > 0 ? { type: 'continuous', min: Math.min(...values), max: Math.max(...values), left: 10, bottom: 10, calculable: false, inRange: { color: ['#e3eef9', '#6aa5dc', '#0b3d73'] }, text: ['hoch', 'niedrig'], formatter: (v: number) => formatNumber(v, '', panel.value.decimals) } : undefined,
    series: [
      {
        type: 'map',
        map: name,
        roam: false,
        label: { show: rows.length <= 30, fontSize: 11, formatter: (p: { name: string }) => labels.get(p.name) ?? p.name },
        emphasis: { label: { show: true } },
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        data: rows.map((r) => {
          const suppressed = isSuppressed(panel.value, r);
          const value = asNumber(r[panel.value.column]);
          return {
            name: String(r[panel.area]),
            value: value ?? '-',
            text: valueText(panel.value, r),
            ...(suppressed ? { itemStyle: { areaColor: '#ffe9bf', decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: Math.PI / 4, color: '#c98a1a' } } } : {}),
          };
        }),
      },
    ],
  });
  const link = panel.drillDown;
  if (link) chart.on('click', (p) => void (location.hash = drillHref(link, variables, rows[p.dataIndex]!)));
}

async function loadPanel(dashboard: Dashboard, panel: Panel, variables: Variable[], root: HTMLElement, body: HTMLElement, mine: number): Promise<void> {
  const values = Object.fromEntries(variables.filter((v) => v.value !== null).map((v) => [v.name, v.value]));
  try {
    const result = await api<PanelResult>(`/panels/${dashboard.id}/${panel.key}`, { variables: values });
    if (mine !== generation) return;
    if (result.missing.length > 0 || result.rows.length === 0) {
      const labels = result.missing.map((m) => variables.find((v) => v.name === m)?.label ?? m);
      body.replaceChildren(el('p', { class: 'leer' }, labels.length > 0 ? `Keine Daten: für ${labels.join(', ')} gibt es noch keine Auswahl.` : 'Keine Daten für diese Auswahl.'));
      root.dataset.state = 'empty';
      return;
    }
    switch (panel.kind) {
      case 'stat':
        body.replaceChildren(renderStat(panel, result.rows, variables));
        break;
      case 'table':
        body.replaceChildren(renderTable(panel, result.rows, variables));
        break;
      case 'timeseries':
        renderTimeSeries(panel, result.rows, body);
        break;
      case 'bar':
        renderBar(panel, result.rows, body, variables);
        break;
      case 'map':
        renderMap(panel, result.rows, body, variables);
        break;
    }
    root.dataset.state = 'ready';
    root.dataset.rows = String(result.rows.length);
  } catch (error) {
    if (error instanceof AuthError) throw error;
    body.replaceChildren(el('p', { class: 'fehler', role: 'alert' }, error instanceof Error ? error.message : String(error)));
    root.dataset.state = 'error';
  }
}

async function showDashboard(): Promise<void> {
  const mine = (generation += 1);
  const { id, values } = route();
  const dashboard = dashboards.find((d) => d.id === id) ?? dashboards[0]!;
  renderNavigation(dashboard.id);
  for (const chart of charts) chart.dispose();
  charts = [];
  byId('anmeldung').hidden = true;
  byId('dashboard').hidden = false;
  byId('abmelden').hidden = false;
  byId('titel').textContent = dashboard.title;
  byId('beschreibung').textContent = dashboard.description;
  document.title = `${dashboard.title} – Lagebild FIS`;
  const grid = byId('panels');
  grid.replaceChildren();
  grid.dataset.state = 'loading';
  const { variables } = await api<{ variables: Variable[] }>(`/variables/${dashboard.id}`, { variables: Object.fromEntries(Object.entries(values).filter(([k]) => dashboard.variables.some((v) => v.name === k))) });
  if (mine !== generation) return;
  renderVariables(dashboard, variables);
  const shells = dashboard.panels.map((panel) => ({ panel, ...panelShell(panel) }));
  grid.replaceChildren(...shells.map((s) => s.root));
  await Promise.all(shells.map((s) => loadPanel(dashboard, s.panel, variables, s.root, s.body, mine)));
  if (mine === generation) grid.dataset.state = 'ready';
}

async function start(): Promise<void> {
  takeTokenFromFragment();
  if (!token()) {
    showLogin();
    return;
  }
  try {
    if (dashboards.length === 0) dashboards = (await api<{ dashboards: Dashboard[] }>('/dashboards')).dashboards;
    await showDashboard();
  } catch (error) {
    if (error instanceof AuthError) {
      sessionStorage.removeItem(TOKEN_KEY);
      dashboards = [];
      showLogin(error.message);
      return;
    }
    byId('panels').replaceChildren(el('p', { class: 'fehler', role: 'alert' }, error instanceof Error ? error.message : String(error)));
    byId('dashboard').hidden = false;
  }
}

byId<HTMLFormElement>('anmeldeformular').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = byId<HTMLInputElement>('token').value.trim();
  if (value === '') return;
  sessionStorage.setItem(TOKEN_KEY, value);
  byId<HTMLInputElement>('token').value = '';
  void start();
});
byId('abmelden').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  dashboards = [];
  showLogin('Sie sind abgemeldet.');
});
window.addEventListener('hashchange', () => void start());
// Resizes come in bursts (window drags, a browser's full-page screenshot); the charts follow once the
// size has settled, and only charts that are still shown and have an area to draw on.
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    for (const chart of charts) if (!chart.isDisposed() && chart.getDom().clientWidth > 0 && chart.getDom().clientHeight > 0) chart.resize();
  }, 150);
});
void start();
