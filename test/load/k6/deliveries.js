/**
 * k6: deliveries. A Datenlieferung uploads the Einwohner file of 31.12.2024 as a correction
 * (other counts each time, so each upload is checked, recorded and recomputed) and polls its
 * status until it is accepted.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=$TOKEN test/load/k6/deliveries.js
 *
 * RATE (deliveries per minute, default 30) and DURATION (default 2m) from the environment.
 */
import { COMMON_THRESHOLDS, deliveryJourney } from './lib.js';

export const options = {
  scenarios: {
    lieferungen: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE || 30), timeUnit: '1m', duration: __ENV.DURATION || '2m', preAllocatedVUs: 2, maxVUs: 10 },
  },
  thresholds: {
    ...COMMON_THRESHOLDS,
    // Upload and status reads; the check "Lieferung: angenommen" covers the decision.
    'http_req_duration{journey:lieferung}': ['p(95)<2000'],
  },
};

export default function () {
  deliveryJourney();
}
