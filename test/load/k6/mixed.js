/**
 * k6: the three journeys at once, a sustained mixed load as on a working day: many FIS reads,
 * a steady trickle of deliveries, some goal and contract writes. The same mix as the Node runner
 * (test/load/run.mjs).
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=$TOKEN -e DURATION=10m test/load/k6/mixed.js
 */
import { COMMON_THRESHOLDS, deliveryJourney, fisJourney, goalsJourney, registerTraeger } from './lib.js';

const duration = __ENV.DURATION || '5m';

export const options = {
  scenarios: {
    fis: { executor: 'constant-arrival-rate', exec: 'fis', rate: 2, timeUnit: '1s', duration, preAllocatedVUs: 10, maxVUs: 50 },
    lieferungen: { executor: 'constant-arrival-rate', exec: 'lieferungen', rate: 30, timeUnit: '1m', duration, preAllocatedVUs: 2, maxVUs: 10 },
    ziele: { executor: 'constant-arrival-rate', exec: 'ziele', rate: 1, timeUnit: '1s', duration, preAllocatedVUs: 4, maxVUs: 20 },
  },
  thresholds: {
    ...COMMON_THRESHOLDS,
    'http_req_duration{journey:fis}': ['p(95)<500'],
    'http_req_duration{journey:lieferung}': ['p(95)<2000'],
    'http_req_duration{journey:ziele}': ['p(95)<500'],
  },
};

export function setup() {
  return { traegerId: registerTraeger() };
}

export function fis() {
  fisJourney();
}

export function lieferungen() {
  deliveryJourney();
}

export function ziele(data) {
  goalsJourney(data.traegerId);
}
