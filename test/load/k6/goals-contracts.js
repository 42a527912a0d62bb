/**
 * k6: goal and contract writes. A Sozialplanerin creates a goal, sets a target on an indicator,
 * concludes a Leistungsvereinbarung for the goal with a Träger (registered once in setup) and
 * reads the goal system back.
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:8080 -e TOKEN=$TOKEN test/load/k6/goals-contracts.js
 *
 * RATE (journeys per second, default 1) and DURATION (default 2m) from the environment.
 */
import { COMMON_THRESHOLDS, goalsJourney, registerTraeger } from './lib.js';

export const options = {
  scenarios: {
    ziele: { executor: 'constant-arrival-rate', rate: Number(__ENV.RATE || 1), timeUnit: '1s', duration: __ENV.DURATION || '2m', preAllocatedVUs: 4, maxVUs: 20 },
  },
  thresholds: {
    ...COMMON_THRESHOLDS,
    'http_req_duration{journey:ziele}': ['p(95)<500', 'p(99)<1500'],
  },
};

export function setup() {
  return { traegerId: registerTraeger() };
}

export default function (data) {
  goalsJourney(data.traegerId);
}
