/**
 * HTTP API throughput (TARGETS.md: ≥ 0.5 × a trivial endpoint on the same server; p99 < 50 ms at
 * 1k req/s): autocannon against a real data route of the running `lagebild start` and, in
 * alternating rounds with the same connections and duration, against GET /health of the same
 * server (no authentication, no data): what the HTTP stack alone can do on this machine.
 * Then the data route at a fixed rate of 1,000 requests/s for the p99 target. The data route is
 * asked as browsers, Grafana and fetch ask, accepting gzip. For orientation, a third figure in
 * the same rounds: a trivial route behind the login (GET /api/indicators/, the service's index),
 * which shows what token verification and the request pipeline of a data route cost by
 * themselves.
 *
 * The load generator runs on the same two cores as the server; both figures carry that cost.
 */
import autocannon from 'autocannon';
import { fmt, median } from './lib.mjs';

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function summary(result) {
  const fiveXx = Object.entries(result.statusCodeStats ?? {}).reduce((n, [code, s]) => n + (code.startsWith('5') ? s.count : 0), 0);
  return {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    fiveXx,
  };
}

export async function benchApi(ctx, { route, routeName, seconds, rounds, connections = 10 }) {
  const { url, log } = ctx;
  const headers = { authorization: `Bearer ${ctx.planer}`, 'accept-encoding': 'gzip' };
  const data = [];
  const trivial = [];
  const loggedIn = [];
  log(`API: ${routeName} gegen GET /health, ${rounds} × ${seconds} s, ${connections} Verbindungen …`);
  for (let round = 0; round < rounds; round += 1) {
    trivial.push(summary(await run({ url: `${url}/health`, connections, duration: seconds })));
    data.push(summary(await run({ url: `${url}${route}`, connections, duration: seconds, headers })));
    loggedIn.push(summary(await run({ url: `${url}/api/indicators/`, connections, duration: seconds, headers })));
    log(
      `  Runde ${round + 1}: /health ${fmt(trivial.at(-1).requestsPerSecond)}/s, Daten ${fmt(data.at(-1).requestsPerSecond)}/s (p99 ${fmt(data.at(-1).p99)} ms), ` +
        `angemeldet trivial ${fmt(loggedIn.at(-1).requestsPerSecond)}/s`,
    );
  }
  const bad = data.concat(trivial).reduce((n, s) => n + s.errors + s.non2xx, 0);
  const value = median(data.map((s) => s.requestsPerSecond));
  const baseline = median(trivial.map((s) => s.requestsPerSecond));
  const loggedInRate = median(loggedIn.map((s) => s.requestsPerSecond));
  log(`API: ${routeName} mit fester Rate 1.000 Anfragen/s, ${seconds} s …`);
  const fixed = summary(await run({ url: `${url}${route}`, connections: 50, overallRate: 1000, duration: seconds, headers }));
  const fixedRate = fixed.total / seconds;
  return [
    {
      area: 'HTTP-API',
      name: `Durchsatz ${routeName}`,
      unit: 'Anfragen/s',
      better: 'higher',
      value,
      baseline,
      baselineName: `GET /health desselben Servers (${connections} Verbindungen, je ${seconds} s)`,
      ratio: value / baseline,
      target: '≥ 0,5 × Basis',
      met: value / baseline >= 0.5 && bad === 0,
      samples: { value: data.map((s) => s.requestsPerSecond), baseline: trivial.map((s) => s.requestsPerSecond), p50: data.map((s) => s.p50), p99: data.map((s) => s.p99) },
      note: `Latenz unter Volllast: p50 ${fmt(median(data.map((s) => s.p50)))} ms, p99 ${fmt(median(data.map((s) => s.p99)))} ms (/health: p99 ${fmt(median(trivial.map((s) => s.p99)))} ms); Fehler oder Nicht-2xx: ${bad}.`,
    },
    {
      area: 'HTTP-API',
      name: `Zur Einordnung: ${routeName} gegen eine triviale Route hinter der Anmeldung (GET /api/indicators/)`,
      unit: 'Anfragen/s',
      better: 'higher',
      value,
      baseline: loggedInRate,
      baselineName: `GET /api/indicators/ mit demselben Token (${connections} Verbindungen, je ${seconds} s)`,
      ratio: value / loggedInRate,
      target: '– (Einordnung: Kosten der Route selbst ohne Anmeldung und Anfrageverarbeitung)',
      met: null,
      samples: { value: data.map((s) => s.requestsPerSecond), baseline: loggedIn.map((s) => s.requestsPerSecond) },
      note: `/health ohne Anmeldung: ${fmt(baseline)}/s; angemeldet trivial: ${fmt(loggedInRate)}/s (${fmt(loggedInRate / baseline, 2)} × /health).`,
    },
    {
      area: 'HTTP-API',
      name: `p99 bei fester Rate 1.000 Anfragen/s: ${routeName}`,
      unit: 'ms',
      better: 'lower',
      value: fixed.p99,
      baseline: null,
      baselineName: '–',
      ratio: null,
      target: 'p99 < 50 ms bei 1.000 Anfragen/s',
      met: fixed.p99 < 50 && fixedRate >= 950 && fixed.errors + fixed.non2xx === 0,
      samples: { value: [fixed.p99] },
      note: `erreicht: ${fmt(fixedRate)} Anfragen/s (${fmt(fixed.total)} in ${seconds} s), p50 ${fmt(fixed.p50)} ms, Fehler ${fixed.errors}, Nicht-2xx ${fixed.non2xx}.`,
    },
  ];
}
