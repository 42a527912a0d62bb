// Assembles this folder from the shared open data (../shared/data beside the checkout):
// copies the files the demo loads as they are, and extracts the few lines and rows of the two
// national files it needs (Gemeindeverzeichnis, INKAR). Run once when the demo changes:
//
//   node services/cli/demo/extract.mjs [SHARED_DATA_DIR]
//
// The Flensburg files are copies of test/fixtures/flensburg (made by its convert.mjs).
// Output is deterministic: running it again on the same sources changes no byte.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const shared = path.resolve(process.argv[2] ?? path.join(repo, '../shared/data'));
const XLSX = createRequire(path.join(repo, 'services/platform/package.json'))('@e965/xlsx');

/** Kreise (5-digit AGS) whose Kreis, Gemeindeverband and Gemeinde records the demo keeps. */
const KREISE = [
  '01001', // Flensburg (Sozialatlas; city-wide tables keyed by 01001000)
  '01054', // Kreis Nordfriesland with its 133 Gemeinden
  '03159', // Landkreis Göttingen (goal system)
  '05515', // Münster (budget)
  '09461', // Bamberg (goal system)
  '11000', // Berlin
];
const LAENDER = [...new Set(KREISE.map((k) => k.slice(0, 2)))];
/** Regierungsbezirke (or Statistische Regionen) above those Kreise, where the Land has them. */
const BEZIRKE = ['031', '055', '094'];

const copies = [
  ['berlin/geometry/bezirke.geojson', 'berlin/geometry/bezirke.geojson'],
  ...['cpg', 'dbf', 'prj', 'shp', 'shx'].map((ext) => [`berlin/geometry/lor_planungsraeume_2021.${ext}`, `berlin/geometry/lor_planungsraeume_2021.${ext}`]),
  ...['2021', '2022', '2023', '2024'].flatMap((y) => ['01', '02'].map((h) => `berlin/population/berlin-lor-population-${y}-${h}-t2-planning-areas.csv`)).map((f) => [f, f]),
  ...['index_indikatoren', 'indizes', 'kontext_indikatoren'].map((n) => [`berlin/mss-2021/mss_2021_${n}.csv`, `berlin/mss-2021/mss_2021_${n}.csv`]),
  ['flensburg/stadtteile.geojson', 'flensburg/stadtteile.geojson'],
  ['budget/muenster_ergebnisse_2007_2016.csv', 'budget/muenster_ergebnisse_2007_2016.csv'],
];
const FLENSBURG_FIXTURES = [
  'tab01_einwohner_stadtteile.csv',
  'tab02_geburten.csv',
  'tab04_06_07_08_altersgruppen_stadtteile.csv',
  'tab05_altersgruppen_2021_2022.csv',
  'tab09_migrationshintergrund.csv',
  'stadt_bestand.csv',
  'stadt_hilfen.csv',
  'sozialatlas_tabellenanhang.xlsx',
];

function copy(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
}

for (const [from, to] of copies) copy(path.join(shared, from), path.join(here, to));
for (const name of FLENSBURG_FIXTURES) copy(path.join(repo, 'test/fixtures/flensburg', name), path.join(here, 'flensburg', name));

// ---- Gemeindeverzeichnis: the records of the Länder, Bezirke and Kreise above, byte for byte ----
const gv = readFileSync(path.join(shared, 'germany/GV100AD_301123.txt'), 'utf8');
const kept = gv.split('\n').filter((line) => {
  const satzart = line.slice(0, 2);
  if (satzart === '10') return LAENDER.includes(line.slice(10, 12));
  if (satzart === '20') return BEZIRKE.includes(line.slice(10, 13));
  if (satzart === '40' || satzart === '50' || satzart === '60') return KREISE.includes(line.slice(10, 15));
  return false;
});
mkdirSync(path.join(here, 'germany'), { recursive: true });
writeFileSync(path.join(here, 'germany/GV100AD_301123_auszug.txt'), `${kept.join('\n')}\n`);
const gemeinden = new Set(kept.filter((l) => l.startsWith('60')).map((l) => l.slice(10, 15) + l.slice(15, 18)));

// ---- INKAR: the rows of those Gemeinden, in the layout of the XLS (two header rows) as CSV ----
const SOURCE_LINE = 'Quelle: Indikatoren und Karten zur Raum- und Stadtentwicklung. INKAR. Ausgabe 2024. Hrsg.: Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR) im Bundesamt für Bauwesen und Raumordnung (BBR) - Bonn 2024. dl-de/by-2-0';
for (const [xls, csv] of [
  ['inkar_arbeitslose_gemeinden_1998_2021.xls', 'inkar_arbeitslose_gemeinden_auszug.csv'],
  ['inkar_erwerbsfaehige_gemeinden_2001_2021.xls', 'inkar_erwerbsfaehige_gemeinden_auszug.csv'],
]) {
  const book = XLSX.read(readFileSync(path.join(shared, 'germany', xls)), { type: 'buffer' });
  const rows = XLSX.utils.sheet_to_json(book.Sheets.Daten, { header: 1, raw: true, defval: null });
  const cell = (v) => (v === null || v === undefined ? '' : String(v));
  const lines = [rows[0], rows[1], ...rows.slice(2).filter((r) => gemeinden.has(String(r[0])))].map((r) => r.map(cell).join(';'));
  const found = lines.length - 2;
  if (found !== gemeinden.size) throw new Error(`${xls}: ${found} von ${gemeinden.size} Gemeinden gefunden`);
  writeFileSync(path.join(here, 'germany', csv), `${[...lines, SOURCE_LINE].join('\n')}\n`);
}
console.log(`demo: ${kept.length} GV100AD-Sätze (${gemeinden.size} Gemeinden), INKAR-Zeilen je Datei: ${gemeinden.size}`);
