/**
 * `npm run bench` of @lagebild/budget (issue 6): postings per second imported and plan/actual
 * recomputed, next to a raw baseline measured in the same run.
 *
 * Data: a synthetic posting export as a finance system writes it (SAP-like CSV: Beleg,
 * Geschäftsjahr, Buchungsdatum, Produkt, Kostenstelle, Sachkonto, Betrag with decimal comma, Text),
 * 200,000 postings over 400 Produkte x 5 Kostenstellen x 2 Sachkonten (Aufwand and Ertrag) and 12
 * months of one year, plus the three years before as history for the seasonal profile.
 *
 * - Baseline (parse-only): the same file through the same reader (the platform's readTable,
 *   csv-parse) into a sink that only counts rows.
 * - Import: file -> checked records -> ActualPosted batches appended to the LMDB event store in
 *   one append -> ledger read model up to date (importFile resolves after the projector caught
 *   up). A fresh store per round.
 * - Plan/actual recomputed: the ledger rebuilt from the event store (projector from position 0)
 *   and the report computed (forecast per Produkt, sums per Produktgruppe and -bereich).
 *
 * Rounds alternate; medians and the ratios to the baseline are printed (TARGETS.md: the ratio
 * is what counts on shared machines).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, readTable, type Cell } from '@lagebild/platform';
import { createBudgetService } from '../application';
import { LEDGER_COLLECTION, PROJECTOR_COLLECTION } from '../ledger/projection';
import type { ImportProfileBody } from '../imports/profile';

const ROUNDS = 3;
const PRODUCTS = 400;
const COST_CENTRES = 5;
const POSTINGS = 200_000;
const YEAR = 2025;
const TENANT = '03159016';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('de-DE');

const PROFILE: ImportProfileBody = {
  name: 'Benchmark: Buchungen',
  tenant: TENANT,
  sourceSystem: 'SAP',
  format: { type: 'csv', encoding: 'utf-8', delimiter: ';', quote: '"', skipRows: 0, headerRows: 1, skipFooterRows: 0 },
  numbers: { decimal: ',', thousands: ['.'], percentSign: false },
  mode: 'BUCHUNGEN',
  layout: 'long',
  columns: {
    product: { header: 'Produkt' },
    costCentre: { header: 'Kostenstelle' },
    account: { header: 'Sachkonto' },
    year: { header: 'Geschäftsjahr' },
    amount: { header: 'Betrag' },
    postingId: { header: 'Beleg' },
    postingDate: { header: 'Buchungsdatum' },
    text: { header: 'Text' },
  },
  valueKinds: {},
  valueKind: 'IST',
  directions: {},
  accountClasses: [
    { prefix: '4', kind: 'ERTRAG' },
    { prefix: '5', kind: 'AUFWAND' },
  ],
  signs: { aufwand: 'positiv', ertrag: 'negativ' },
  productFromGroup: false,
  areaFromCode: true,
  emptyAmount: 'fehler',
};

function postingsCsv(year: number, count: number): string {
  const rows = ['Beleg;Geschäftsjahr;Buchungsdatum;Produkt;Kostenstelle;Sachkonto;Betrag;Text'];
  for (let i = 0; i < count; i += 1) {
    const product = `${String(1 + (i % 17)).padStart(2, '0')}${String(1 + (Math.floor(i / 17) % Math.ceil(PRODUCTS / 17))).padStart(2, '0')}01`;
    const month = 1 + (i % 12);
    const ertrag = i % 7 === 0;
    const cents = 1000 + ((i * 7919) % 500_000);
    const amount = `${ertrag ? '-' : ''}${Math.floor(cents / 100).toLocaleString('de-DE')},${String(cents % 100).padStart(2, '0')}`;
    rows.push(`${year}-${i};${year};15.${String(month).padStart(2, '0')}.${year};${product};${4000 + (i % COST_CENTRES)};${ertrag ? '414100' : '533100'};${amount};Zahlung ${i}`);
  }
  return `${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-budget-bench-'));
  try {
    const file = path.join(dir, 'buchungen.csv');
    await writeFile(file, postingsCsv(YEAR, POSTINGS));
    const history = [YEAR - 3, YEAR - 2, YEAR - 1].map((y) => path.join(dir, `buchungen_${y}.csv`));
    for (let i = 0; i < history.length; i += 1) await writeFile(history[i]!, postingsCsv(YEAR - 3 + i, POSTINGS / 4));
    console.log(`Budget: ${fmt(POSTINGS)} Buchungen (${PRODUCTS} Produkte x ${COST_CENTRES} Kostenstellen x 2 Konten, 12 Monate), Vorjahre je ${fmt(POSTINGS / 4)}`);

    const parse: number[] = [];
    const imported: number[] = [];
    const recomputed: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      // Baseline: the same reader, the same file, a sink that only counts.
      let rows = 0;
      let t0 = performance.now();
      await readTable({ path: file, format: PROFILE.format }, { row: (_line: number, _cells: readonly Cell[]) => void (rows += 1), problem: () => undefined });
      parse.push(performance.now() - t0);

      const storeDir = path.join(dir, `store-${round}`);
      const eventStore = createLmdbEventStore({ path: storeDir });
      const documents = createLmdbDocumentStore({ path: storeDir });
      const service = createBudgetService({ eventStore, documents });
      await service.profiles.save('bench', PROFILE, { tenant: TENANT, actor: 'bench', now: new Date() });
      for (const h of history) await service.importFile({ tenant: TENANT, profileId: 'bench', filePath: h, actor: 'bench' });

      t0 = performance.now();
      const result = await service.importFile({ tenant: TENANT, profileId: 'bench', filePath: file, actor: 'bench' });
      imported.push(performance.now() - t0);
      if (result.view.status !== 'angenommen' || result.view.postingCount !== POSTINGS) throw new Error(`Import nicht wie erwartet: ${JSON.stringify(result.view).slice(0, 500)}`);

      // Plan/actual recomputed from the events: ledger rebuilt, then the report.
      const old = await documents.scan(LEDGER_COLLECTION);
      await documents.write([...old.map((e) => ({ collection: LEDGER_COLLECTION, key: e.key, doc: null })), { collection: PROJECTOR_COLLECTION, key: 'ledger', doc: null }]);
      t0 = performance.now();
      await service.projector.catchUp();
      const units = await service.planActual(TENANT, YEAR, 6);
      recomputed.push(performance.now() - t0);
      const total = units.filter((u) => u.level === 'PRODUKTBEREICH' && u.accountKind === 'AUFWAND').reduce((s, u) => s + u.actualToDateCents, 0);
      if (!(total > 0)) throw new Error('Bericht leer');
      console.log(`  Runde ${round + 1}: Lesen ${fmt(parse[round]!)} ms (${fmt(rows)} Zeilen), Import ${fmt(imported[round]!)} ms, Plan/Ist neu ${fmt(recomputed[round]!)} ms (${units.length} Berichtszeilen)`);
      await documents.close();
      await eventStore.close();
      await rm(storeDir, { recursive: true, force: true });
    }
    const baseRate = POSTINGS / (median(parse) / 1000);
    const importRate = POSTINGS / (median(imported) / 1000);
    const recomputeRate = (POSTINGS * 1.75) / (median(recomputed) / 1000);
    console.log('\nBudget');
    console.log(`  Basis: nur Lesen (derselbe CSV-Leser):            ${fmt(baseRate)} Buchungen/s`);
    console.log(`  Import (Prüfung, Ereignisse, Hauptbuch):          ${fmt(importRate)} Buchungen/s, Verhältnis ${(importRate / baseRate).toFixed(2)}`);
    console.log(`  Plan/Ist neu berechnet (Hauptbuch aus Ereignissen, Bericht mit Hochrechnung): ${fmt(recomputeRate)} Buchungen/s, Verhältnis ${(recomputeRate / baseRate).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
