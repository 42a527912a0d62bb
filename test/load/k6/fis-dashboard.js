/**
 * k6: FIS dashboard reads. Führung and Sozialplanung open the Übersicht, the Indikator-Atlas and
 * the Sozialraumprofil (variables, then every panel in parallel, as the web view does).
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=$TOKEN test/load/k6/fis-dashboard.js
 *
 * RATE (dashboard openings per second, default 2) and DURATION (default 2m) from the environment.
 */
import { COMMON_THRESHOLDS, fisJourney } from './lib.js';

export const options = {
  scenarios: {
    fis: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE || 2), timeUnit: '1s', duration: __ENV.DURATION || '2m', preAllocatedVUs: 10, maxVUs: 50 },
  },
  thresholds: {
    ...COMMON_THRESHOLDS,
    'http_req_duration{journey:fis}': ['p(95)<500', 'p(99)<1500'],
  },
};

export default function () {
  fisJourney();
}
