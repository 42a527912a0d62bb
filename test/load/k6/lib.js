/**
 * The user journeys of the k6 load scripts (k6 runtime, not Node): shared by fis-dashboard.js,
 * deliveries.js, goals-contracts.js and mixed.js. The Node runner test/load/run.mjs drives the
 * same journeys with autocannon on machines without k6.
 *
 * Environment:
 *   BASE_URL  the Lagebild host, e.g. http://127.0.0.1:8080 (default)
 *   TOKEN     a bearer token of the tenant whose data is read and written; the role
 *             sozialplanung may go all three journeys, e.g.
 *             npx lagebild token create --tenant 11000 --role sozialplanung
 *   SCHEME    the tenant's scheme for goal targets (default berlin-lor-planungsraeume, the demo's)
 *   TENANT    the tenant's AGS (default 11000, Berlin in the demo)
 */
import http from 'k6/http';
import { check, fail, sleep } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const TOKEN = __ENV.TOKEN;
export const TENANT = __ENV.TENANT || '11000';
export const SCHEME = __ENV.SCHEME || 'berlin-lor-planungsraeume';

if (!TOKEN) {
  throw new Error('TOKEN fehlt: ein Zugangstoken ausstellen, z. B. TOKEN=$(npx lagebild token create --tenant 11000 --role sozialplanung), und k6 mit -e TOKEN=$TOKEN aufrufen.');
}

const AUTH = { Authorization: `Bearer ${TOKEN}` };
const JSON_HEADERS = { ...AUTH, 'Content-Type': 'application/json' };

/** A random UUID v4 (k6 has no crypto.randomUUID in every version). */
export function uuid() {
  const hex = '0123456789abcdef';
  let s = '';
  for (let i = 0; i < 32; i += 1) s += hex[Math.floor(Math.random() * 16)];
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${hex[8 + Math.floor(Math.random() * 4)]}${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

// ---- FIS: what the web view loads when a user opens a dashboard ----

const FIS_DASHBOARDS = ['uebersicht', 'indikator-atlas', 'sozialraumprofil'];

export function fisJourney() {
  const tags = { journey: 'fis' };
  const list = http.get(`${BASE_URL}/api/warehouse/fis/dashboards`, { headers: AUTH, tags });
  if (!check(list, { 'FIS: Dashboards gelesen': (r) => r.status === 200 })) return;
  const body = JSON.stringify({ variables: {} });
  for (const dashboard of list.json('dashboards').filter((d) => FIS_DASHBOARDS.includes(d.id))) {
    const variables = http.post(`${BASE_URL}/api/warehouse/fis/variables/${dashboard.id}`, body, { headers: JSON_HEADERS, tags });
    check(variables, { 'FIS: Variablen gelesen': (r) => r.status === 200 });
    // The page requests the panels of a dashboard in parallel.
    const panels = http.batch(dashboard.panels.map((p) => ['POST', `${BASE_URL}/api/warehouse/fis/panels/${dashboard.id}/${p.key}`, body, { headers: JSON_HEADERS, tags }]));
    check(panels, { 'FIS: alle Panels gelesen': (rs) => rs.every((r) => r.status === 200) });
    sleep(1);
  }
}

// ---- deliveries: a correction of the Einwohner file, then its status until decided ----

const POPULATION_NAME = 'berlin-lor-population-2024-02-t2-planning-areas.csv';
// open() works only in the init context; the path is relative to this file.
const POPULATION = open(`../../../services/cli/demo/berlin/population/${POPULATION_NAME}`);

/** The file with the first Planungsraum's counts raised by k: every upload is a new delivery. */
function correction(k) {
  const lines = POPULATION.split('\n');
  const header = lines[0].split(',');
  const first = lines[1].split(',');
  for (const [column, plus] of [['inhabitants', 2 * k], ['inhabitants_age_below_6', k], ['inhabitants_foreigners', k]]) {
    const i = header.indexOf(column);
    first[i] = String(Number(first[i]) + plus);
  }
  return [lines[0], first.join(','), ...lines.slice(2)].join('\n');
}

export function deliveryJourney() {
  const tags = { journey: 'lieferung' };
  const k = Math.floor(Math.random() * 1e9);
  const upload = http.post(
    `${BASE_URL}/api/ingestion/deliveries`,
    { profile: 'berlin-einwohner-lor', file: http.file(correction(k), POPULATION_NAME, 'text/csv') },
    { headers: AUTH, tags },
  );
  if (!check(upload, { 'Lieferung: angenommen zur Prüfung (202)': (r) => r.status === 202 || r.status === 200 })) return;
  const statusUrl = `${BASE_URL}/api/ingestion/deliveries/${upload.json('deliveryId')}`;
  for (let i = 0; i < 60; i += 1) {
    const status = http.get(statusUrl, { headers: AUTH, tags });
    const value = status.status === 200 ? status.json('status') : 'fehler';
    if (value === 'angenommen' || value === 'abgelehnt' || value === 'fehler') {
      check(status, { 'Lieferung: angenommen': () => value === 'angenommen' });
      return;
    }
    sleep(0.5);
  }
  fail('Lieferung: nach 30 s noch nicht entschieden');
}

// ---- goals and contracts: a Sozialplanerin records a goal, a target and a contract ----

/** Registers the Träger the contracts are concluded with; call from the script's setup(). */
export function registerTraeger() {
  const res = http.post(`${BASE_URL}/api/goals/traeger`, JSON.stringify({ name: `Familienhilfe e. V. (Lasttest ${new Date().toISOString()})`, legalForm: 'eingetragener Verein' }), { headers: JSON_HEADERS });
  if (res.status !== 201) fail(`Träger konnte nicht eingetragen werden: ${res.status} ${res.body}`);
  return res.json('traegerId');
}

export function goalsJourney(traegerId) {
  const tags = { journey: 'ziele' };
  const goalId = uuid();
  const goal = http.post(
    `${BASE_URL}/api/goals/goals`,
    JSON.stringify({ goalId, level: 'FACHBEREICHSZIEL', field: 'WIRKUNGEN', title: `Lasttest: Kinderanteil halten (${goalId.slice(0, 8)})`, responsibleUnit: 'Sozialplanung', smart: true }),
    { headers: JSON_HEADERS, tags },
  );
  if (!check(goal, { 'Ziel angelegt (201)': (r) => r.status === 201 })) return;
  const target = http.put(
    `${BASE_URL}/api/goals/goals/${goalId}/targets/${uuid()}`,
    JSON.stringify({ indicatorId: 'anteil_u18', schemeId: SCHEME, areaCode: TENANT, targetKind: 'ABSOLUTE', targetValue: 16, comparator: 'AT_LEAST', deadline: '2030-12-31' }),
    { headers: JSON_HEADERS, tags },
  );
  check(target, { 'Zielwert gesetzt (200)': (r) => r.status === 200 });
  const contract = http.post(
    `${BASE_URL}/api/goals/contracts`,
    JSON.stringify({
      kind: 'LEISTUNGSVEREINBARUNG',
      title: `Lasttest: Familienzentrum (${goalId.slice(0, 8)})`,
      principalUnit: 'Jugendamt',
      termStart: '2025-01-01',
      termEnd: '2026-12-31',
      service: 'Beratung und offene Angebote für Familien',
      traegerId,
      goalIds: [goalId],
      quantities: [{ quantityId: 'fls', kind: 'FACHLEISTUNGSSTUNDEN', label: 'Fachleistungsstunden', amount: 1200, per: 'JAHR' }],
    }),
    { headers: JSON_HEADERS, tags },
  );
  check(contract, { 'Vertrag geschlossen (201)': (r) => r.status === 201 });
  const tree = http.get(`${BASE_URL}/api/goals/goals`, { headers: AUTH, tags });
  check(tree, { 'Zielsystem gelesen (200)': (r) => r.status === 200 });
}

/** Thresholds every script shares: almost no failed request, checks pass. */
export const COMMON_THRESHOLDS = {
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};
