/**
 * `npm run bench` of @lagebild/ingestion (TARGETS.md, "ingestion, CSV -> accepted events"):
 *
 * 1. Generates a large CSV from the real Berlin structure: the 542 LOR-Planungsräume (codes and
 *    names from the MSS 2021 file in ../shared/data), 20 variables, 240 months, one observation
 *    per row (long layout, `;`, decimal comma): 2.6 million rows at scale 1.
 * 2. Baseline: only parsing that CSV with the same parser (csv-parse, the same options the
 *    delivery reader uses), records counted and dropped.
 * 3. Measured: the whole delivery from the file on disk to DeliveryAccepted on the real LMDB
 *    event store: hashing, encoding check, parsing, every check of the profile, spooling, and
 *    appending the ObservationsRecorded batches and the acceptance. A fresh data directory per
 *    round (the same content delivered twice would change nothing and cost nothing).
 *
 * Rounds alternate baseline and measurement so both see the same noise of a shared machine;
 * medians are reported with the ratio and the peak RSS of each phase (memory must stay flat:
 * far below the file size). LAGEBILD_BENCH_SCALE scales the months (0.1 for a quick look);
 * results go to LAGEBILD_BENCH_OUT or <LAGEBILD_DATA_DIR or ./.lagebild>/bench/ingestion.json.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { parse } from 'csv-parse';

const ROUNDS = 3;
const TARGET_RATIO = 0.5;
const TARGET_ABSOLUTE = 300_000;
const SCHEME = 'berlin-lor-planungsraeume';
const TENANT = '11000';
const DATA = resolve(__dirname, '../../../../../shared/data');

const COUNT_VARIABLES = ['ew', 'ew_unter_6', 'ew_6_15', 'ew_15_18', 'ew_18_27', 'ew_27_45', 'ew_45_55', 'ew_55_65', 'ew_65_plus', 'ew_auslaender'];
const RATE_VARIABLES = ['quote_alo', 'quote_sgb2', 'quote_kinderarmut', 'anteil_alleinerziehend', 'anteil_migration', 'anteil_65_plus', 'anteil_unter_18', 'anteil_auslaender', 'wanderung_saldo', 'wohndauer_5_jahre'];

interface Area {
  code: string;
  name: string;
}

async function berlinAreas(): Promise<Area[]> {
  const text = await readFile(join(DATA, 'berlin/mss-2021/mss_2021_indizes.csv'), 'utf8');
  const rows = text.trim().split('\n').slice(1);
  return rows.map((row) => {
    const [, code, name] = row.split(',');
    return { code: code!.replace(/"/g, ''), name: name! };
  });
}

/** Deterministic values, so every run parses the same bytes. */
function* generateRows(areas: readonly Area[], months: number): Generator<string> {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  for (let m = 0; m < months; m += 1) {
    const year = 2001 + Math.floor(m / 12);
    const month = String((m % 12) + 1).padStart(2, '0');
    for (const area of areas) {
      for (const variable of COUNT_VARIABLES) yield `${area.code};${variable};${year}-${month};${next() % 5000}\n`;
      for (const variable of RATE_VARIABLES) yield `${area.code};${variable};${year}-${month};${(next() % 1000) / 10}`.replace('.', ',') + '\n';
    }
  }
}

async function writeCsv(path: string, areas: readonly Area[], months: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('planungsraum;variable;monat;wert\n');
  let rows = 0;
  let chunk = '';
  for (const row of generateRows(areas, months)) {
    chunk += row;
    rows += 1;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return rows;
}

interface PhaseResult {
  count: number;
  ms: number;
  /** Peak resident set size of the phase's own process, in bytes. */
  peakRss: number;
  /** RSS of the delivery process right before the delivery (platform loaded, stores open). */
  baseRss?: number;
  events?: number;
  status?: string;
}

/**
 * Each measurement runs in a fresh child process, so its peak RSS is its own (not the garbage of
 * generating the file or of the previous round) and both phases start equally cold.
 */
function runPhase(phase: 'parse' | 'deliver', csv: string): Promise<PhaseResult> {
  return new Promise((resolvePhase, reject) => {
    const child = spawn(process.execPath, [__filename, phase, csv], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`Phase ${phase} endete mit Code ${code}: ${out}`));
      else resolvePhase(JSON.parse(out.trim().split('\n').pop()!) as PhaseResult);
    });
  });
}

function peakRssOfThisProcess(): number {
  // maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}

async function parseOnly(path: string): Promise<PhaseResult> {
  const started = performance.now();
  let records = 0;
  const parser = parse({
    delimiter: ';',
    bom: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: 4 * 1024 * 1024,
    on_record: () => {
      records += 1;
      return undefined;
    },
  });
  parser.resume();
  const ended = once(parser, 'end');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) parser.write(chunk);
  parser.end();
  await ended;
  return { count: records, ms: performance.now() - started, peakRss: peakRssOfThisProcess() };
}

async function prepareStore(dir: string, areas: readonly Area[]) {
  // Loaded here, not at the top: the parse-only process must not carry the platform's native
  // libraries (chDB alone adds some 190 MB of RSS on import) in its memory figure.
  const { createLmdbDocumentStore, createLmdbEventStore } = await import('@lagebild/platform');
  const { createScheme, importAreaFile, publishVersion } = await import('../areas/application.js');
  const { createDeliveries } = await import('../deliveries/index.js');
  const lmdb = join(dir, 'lmdb');
  const eventStore = createLmdbEventStore({ path: lmdb });
  const documents = createLmdbDocumentStore({ path: lmdb });
  const actor = { subject: 'system:bench' };
  await createScheme({ eventStore, documents }, { schemeId: SCHEME, name: 'Berlin LOR-Planungsräume', tenant: TENANT }, actor);
  const csv = ['code;name;type', ...areas.map((a) => `${a.code};${a.name};Planungsraum`)].join('\n');
  await importAreaFile({ eventStore, documents }, { schemeId: SCHEME, file: { kind: 'csv', fileName: 'lor.csv', bytes: Buffer.from(csv) }, validFrom: '2000-01-01', reason: 'Benchmark' }, actor);
  await publishVersion({ eventStore, documents }, SCHEME, { validFrom: '2000-01-01', reason: 'Benchmark' }, actor);
  const deliveries = createDeliveries({ eventStore, documents }, { workDir: join(dir, 'ingestion'), background: false, seedShipped: false, recover: false });
  const context = { actor: 'system:bench', tenant: TENANT, now: new Date() };
  await deliveries.catalog.saveDataset(
    'bench-berlin',
    {
      name: 'Benchmark Berlin',
      source: { name: 'Generiert' },
      sensitivity: 'INTERNAL',
      variables: [...COUNT_VARIABLES.map((code) => ({ code, name: code, kind: 'count' as const })), ...RATE_VARIABLES.map((code) => ({ code, name: code, kind: 'rate' as const }))],
    },
    context,
  );
  await deliveries.catalog.saveProfile(
    'bench-berlin-monat',
    {
      name: 'Benchmark: eine Beobachtung je Zeile',
      tenant: TENANT,
      dataset: 'bench-berlin',
      source: { name: 'Generiert' },
      scheme: { schemeId: SCHEME },
      format: { type: 'csv', encoding: 'utf-8', delimiter: ';', headerRows: 1 },
      numbers: { decimal: ',', thousands: [], percentSign: false },
      area: { column: { header: 'planungsraum' }, by: 'code' },
      period: { granularity: 'month', kind: 'STICHTAG', from: 'column', column: { header: 'monat' } },
      variables: { layout: 'long', valueColumn: { header: 'wert' }, variableColumns: [{ header: 'variable' }] },
    },
    context,
  );
  return {
    deliveries,
    eventStore,
    async close() {
      await deliveries.stop();
      await documents.close();
      await eventStore.close();
    },
  };
}

async function deliverOnce(csv: string, areas: readonly Area[]): Promise<PhaseResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lagebild-bench-ingestion-'));
  const store = await prepareStore(dir, areas);
  try {
    const before = await store.eventStore.lastPosition();
    const baseRss = process.memoryUsage.rss();
    let peakRss = baseRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 10);
    const started = performance.now();
    const file = await store.deliveries.service.localFile(csv);
    const submitted = await store.deliveries.service.submit({ file, profileId: 'bench-berlin-monat', tenant: TENANT, actor: 'system:bench', access: { owners: [TENANT], prefixes: [] } });
    await submitted.decided;
    const ms = performance.now() - started;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    // Off the clock: the status read model (the events are what is measured).
    await store.deliveries.service.idle();
    await store.deliveries.projector.catchUpStatus();
    const view = await store.deliveries.service.getDelivery(submitted.deliveryId);
    // The peak while the delivery ran (sampled), not of the whole process: reading the status
    // back afterwards is not part of the measured work.
    return { count: view?.observationCount ?? 0, ms, peakRss, baseRss, events: (await store.eventStore.lastPosition()) - before, status: view?.status ?? 'unbekannt' };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (n: number) => Math.round(n).toLocaleString('de-DE');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toLocaleString('de-DE', { maximumFractionDigits: 0 })} MB`;

export async function runIngestionBenchmark(): Promise<Record<string, unknown>> {
  const scale = Number(process.env.LAGEBILD_BENCH_SCALE ?? '1');
  if (!(scale > 0)) throw new Error(`LAGEBILD_BENCH_SCALE muss eine positive Zahl sein, nicht "${process.env.LAGEBILD_BENCH_SCALE}".`);
  const months = Math.max(1, Math.round(240 * scale));
  const areas = await berlinAreas();
  const work = await mkdtemp(join(tmpdir(), 'lagebild-bench-csv-'));
  try {
    const csv = join(work, 'berlin-planungsraeume-monate.csv');
    const rows = await writeCsv(csv, areas, months);
    const bytes = (await stat(csv)).size;
    process.stdout.write(`Datei: ${rate(rows)} Zeilen, ${mb(bytes)} (${areas.length} Planungsräume × ${COUNT_VARIABLES.length + RATE_VARIABLES.length} Variablen × ${months} Monate)\n`);

    const parseRates: number[] = [];
    const deliveryRates: number[] = [];
    let parsePeak = 0;
    let deliveryPeak = 0;
    let deliveryBase = 0;
    let last: PhaseResult | undefined;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const parsed = await runPhase('parse', csv);
      if (parsed.count !== rows + 1) throw new Error(`Parsen ergab ${parsed.count} Datensätze statt ${rows + 1}.`);
      parseRates.push((rows / parsed.ms) * 1000);
      parsePeak = Math.max(parsePeak, parsed.peakRss);
      const delivered = await runPhase('deliver', csv);
      if (delivered.status !== 'angenommen' || delivered.count !== rows) {
        throw new Error(`Lieferung: Status ${delivered.status}, ${delivered.count} Beobachtungen statt ${rows}.`);
      }
      deliveryRates.push((delivered.count / delivered.ms) * 1000);
      deliveryPeak = Math.max(deliveryPeak, delivered.peakRss);
      deliveryBase = Math.max(deliveryBase, delivered.baseRss ?? 0);
      last = delivered;
      process.stdout.write(`  Runde ${round}: nur Parsen ${rate(parseRates.at(-1)!)} Zeilen/s, Lieferung ${rate(deliveryRates.at(-1)!)} Beobachtungen/s (${(delivered.ms / 1000).toFixed(1)} s, ${rate(delivered.events ?? 0)} Ereignisse)\n`);
    }
    const baseline = median(parseRates);
    const value = median(deliveryRates);
    const ratio = value / baseline;
    const met = ratio >= TARGET_RATIO && value >= TARGET_ABSOLUTE;
    process.stdout.write(
      [
        '',
        `Ingestion, CSV -> angenommene Ereignisse (Median aus ${ROUNDS} Runden)`,
        `  nur Parsen (csv-parse):           ${rate(baseline)} Zeilen/s`,
        `  Lieferung bis DeliveryAccepted:   ${rate(value)} Beobachtungen/s`,
        `  Verhältnis:                       ${ratio.toFixed(2)} (Ziel ≥ ${TARGET_RATIO}; absolut Ziel ≥ ${rate(TARGET_ABSOLUTE)}/s) -> ${met ? 'erfüllt' : 'NICHT erfüllt'}`,
        `  Spitzen-RSS: nur Parsen ${mb(parsePeak)}, Lieferung ${mb(deliveryPeak)} (davon ${mb(deliveryBase)} vor der Lieferung: Plattform geladen; Datei ${mb(bytes)})`,
        '',
      ].join('\n'),
    );
    return {
      name: 'ingestion: CSV -> accepted events',
      unit: 'observations/s',
      rows,
      fileBytes: bytes,
      value,
      baseline,
      baselineName: 'csv-parse only, same file, same options',
      ratio,
      targetRatio: TARGET_RATIO,
      targetAbsolute: TARGET_ABSOLUTE,
      met,
      peakRss: { parseOnly: parsePeak, delivery: deliveryPeak, deliveryBeforeStart: deliveryBase },
      events: last?.events ?? 0,
      samples: { value: deliveryRates, baseline: parseRates },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write('Ingestion-Benchmark (eingebettete Adapter: LMDB) ...\n');
  const result = await runIngestionBenchmark();
  const out = process.env.LAGEBILD_BENCH_OUT ?? join(process.env.LAGEBILD_DATA_DIR ?? '.lagebild', 'bench', 'ingestion.json');
  const path = resolve(out);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, results: [result] }, null, 2)}\n`);
  process.stdout.write(`Ergebnisse gespeichert in ${path}\n`);
}

async function phase(name: string, csv: string): Promise<void> {
  const result = name === 'parse' ? await parseOnly(csv) : await deliverOnce(csv, await berlinAreas());
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  const [name, csv] = process.argv.slice(2);
  (name === 'parse' || name === 'deliver' ? phase(name, csv!) : main()).catch((error: unknown) => {
    process.stderr.write(`Benchmark fehlgeschlagen: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
