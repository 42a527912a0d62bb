/**
 * The Gemeindeverzeichnis of Destatis in its fixed-width form GV100AD (one record per line, 220
 * characters). Record layout (Datensatzbeschreibung GV100AD; positions 1-based, in characters):
 *
 * | field                  | positions | records        |
 * |------------------------|-----------|----------------|
 * | Satzart                | 1-2       | all: 10 Land, 20 Regierungsbezirk, 30 Region (BW), 40 Kreis, 50 Gemeindeverband, 60 Gemeinde |
 * | Gebietsstand JJJJMMTT  | 3-10      | all            |
 * | Land                   | 11-12     | all            |
 * | Regierungsbezirk       | 13        | 20, 30, 40, 50, 60 (0 where a Land has none) |
 * | Region                 | 14        | 30 only        |
 * | Kreis                  | 14-15     | 40, 50, 60     |
 * | Gemeinde               | 16-18     | 60             |
 * | Gemeindeverband        | 19-22     | 50, 60         |
 * | Name                   | 23-72     | all            |
 * | Sitz der Verwaltung    | 73-122    | 10-50          |
 * | Textkennzeichen        | 123-124   | 40, 50, 60     |
 * | Fläche in ha           | 129-139   | 60             |
 * | Bevölkerung insgesamt  | 140-150   | 60             |
 * | Bevölkerung männlich   | 151-161   | 60             |
 * | Postleitzahl (Sitz)    | 166-170   | 60             |
 * | PLZ eindeutig          | 171-175   | 60 (`*****` = the Gemeinde has several)   |
 *
 * Verified against GV100AD_301123 (Gebietsstand 30.11.2023): the Gemeinden's population sums to
 * 84,358,845 and their area to 357,595.70 km², Destatis' published figures for Germany. The
 * Kreis, Verband and Land records carry no population or area; the register sums its Gemeinden.
 */
import { AreaRuleViolation, type AreaErrorEntry, type ImportedUnit } from '../decide';
import { decodeText } from './encoding';

export const GV_UNIT_TYPES = ['Land', 'Regierungsbezirk', 'Region', 'Kreis', 'Gemeindeverband', 'Gemeinde'] as const;
export type GvUnitType = (typeof GV_UNIT_TYPES)[number];

/** Textkennzeichen: what kind of Kreis, Gemeindeverband or Gemeinde a record is. */
export const TEXTKENNZEICHEN: Record<string, string> = {
  '41': 'Kreisfreie Stadt',
  '42': 'Stadtkreis',
  '43': 'Kreis',
  '44': 'Landkreis',
  '45': 'Regionalverband',
  '50': 'Verbandsfreie Gemeinde',
  '51': 'Amt',
  '52': 'Samtgemeinde',
  '53': 'Verbandsgemeinde',
  '54': 'Verwaltungsgemeinschaft',
  '55': 'Kirchspielslandgemeinde',
  '56': 'Verwaltungsverband',
  '57': 'Verbandsgemeinde (Trägermodell)',
  '58': 'Erfüllende Gemeinde',
  '60': 'Markt',
  '61': 'Kreisfreie Stadt',
  '62': 'Stadtkreis',
  '63': 'Stadt',
  '64': 'Kreisangehörige Gemeinde',
  '65': 'Gemeindefreies Gebiet, bewohnt',
  '66': 'Gemeindefreies Gebiet, unbewohnt',
  '67': 'Große Kreisstadt',
};

export interface Gv100adRead {
  /** Gebietsstand of the file (ISO day). */
  gebietsstand: string;
  units: ImportedUnit[];
  counts: Record<GvUnitType, number>;
  encoding: string;
}

function field(line: string, from: number, to: number): string {
  return line.slice(from - 1, to);
}

export function readGv100ad(bytes: Buffer, fileName: string, options: { encoding?: string } = {}): Gv100adRead {
  const { text, encoding } = decodeText(bytes, options.encoding);
  const lines = text.split(/\r?\n/);
  const units: ImportedUnit[] = [];
  const errors: AreaErrorEntry[] = [];
  const counts = Object.fromEntries(GV_UNIT_TYPES.map((t) => [t, 0])) as Record<GvUnitType, number>;
  const regierungsbezirke = new Set<string>();
  const kreisParents: Array<{ unit: ImportedUnit; rb: string; land: string }> = [];
  let gebietsstand: string | null = null;

  const number = (line: string, lineNo: number, from: number, to: number, label: string): number | null => {
    const raw = field(line, from, to).trim();
    if (raw === '') return null;
    if (!/^\d+$/.test(raw)) {
      errors.push({ where: `Zeile ${lineNo}, Spalte ${from}`, detail: `${label}: "${raw}" ist keine ganze Zahl (Stellen ${from}-${to})` });
      return null;
    }
    return Number(raw);
  };

  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === '') return;
    const satzart = field(line, 1, 2);
    if (line.length < 124) {
      errors.push({ where: `Zeile ${lineNo}`, detail: `der Datensatz ist ${line.length} Zeichen lang; GV100AD-Datensätze haben 220 Zeichen` });
      return;
    }
    const stand = field(line, 3, 10);
    if (!/^\d{8}$/.test(stand)) {
      errors.push({ where: `Zeile ${lineNo}, Spalte 3`, detail: `Gebietsstand "${stand}" ist kein Datum JJJJMMTT` });
      return;
    }
    const iso = `${stand.slice(0, 4)}-${stand.slice(4, 6)}-${stand.slice(6, 8)}`;
    if (gebietsstand === null) gebietsstand = iso;
    else if (iso !== gebietsstand) errors.push({ where: `Zeile ${lineNo}, Spalte 3`, detail: `Gebietsstand ${iso} weicht vom Gebietsstand der Datei (${gebietsstand}) ab` });
    const land = field(line, 11, 12);
    const name = field(line, 23, 72).trim();
    const sitz = field(line, 73, 122).trim();
    const tk = field(line, 123, 124).trim();
    const base = { aliases: [] as string[], geometry: null, origin: { line: lineNo } };
    switch (satzart) {
      case '10':
        units.push({ ...base, code: land, name, unitType: 'Land', parentCode: null, officialKey: land, attributes: { sitz } });
        counts.Land += 1;
        return;
      case '20': {
        const code = field(line, 11, 13);
        regierungsbezirke.add(code);
        units.push({ ...base, code, name, unitType: 'Regierungsbezirk', parentCode: land, officialKey: code, attributes: { sitz } });
        counts.Regierungsbezirk += 1;
        return;
      }
      case '30': {
        const code = field(line, 11, 14);
        units.push({ ...base, code, name, unitType: 'Region', parentCode: code.slice(0, 3), officialKey: code, attributes: { sitz } });
        counts.Region += 1;
        return;
      }
      case '40': {
        const code = field(line, 11, 15);
        const unit: ImportedUnit = { ...base, code, name, unitType: 'Kreis', parentCode: null, officialKey: code, attributes: { sitz, textkennzeichen: tk, kennzeichen: TEXTKENNZEICHEN[tk] ?? null } };
        units.push(unit);
        kreisParents.push({ unit, rb: code.slice(0, 3), land });
        counts.Kreis += 1;
        return;
      }
      case '50': {
        const kreis = field(line, 11, 15);
        const code = `${kreis}${field(line, 19, 22)}`;
        units.push({ ...base, code, name, unitType: 'Gemeindeverband', parentCode: kreis, officialKey: code, attributes: { sitz, textkennzeichen: tk, kennzeichen: TEXTKENNZEICHEN[tk] ?? null } });
        counts.Gemeindeverband += 1;
        return;
      }
      case '60': {
        const ags = field(line, 11, 18);
        const verband = `${field(line, 11, 15)}${field(line, 19, 22)}`;
        const areaHa = number(line, lineNo, 129, 139, 'Fläche in ha');
        const total = number(line, lineNo, 140, 150, 'Bevölkerung insgesamt');
        const male = number(line, lineNo, 151, 161, 'Bevölkerung männlich');
        const plz = field(line, 166, 170).trim();
        if (total !== null && male !== null && male > total) {
          errors.push({ where: `Zeile ${lineNo}, Spalte 151`, detail: `mehr Männer (${male}) als Einwohner insgesamt (${total})` });
        }
        units.push({
          ...base,
          code: ags,
          name,
          unitType: 'Gemeinde',
          parentCode: verband,
          officialKey: ags,
          attributes: {
            textkennzeichen: tk,
            kennzeichen: TEXTKENNZEICHEN[tk] ?? null,
            ars: `${field(line, 11, 15)}${field(line, 19, 22)}${field(line, 16, 18)}`,
            flaecheHa: areaHa,
            // km² with two decimals, as Destatis publishes it (1 km² = 100 ha).
            flaecheKm2: areaHa === null ? null : areaHa / 100,
            einwohner: total,
            einwohnerMaennlich: male,
            einwohnerWeiblich: total === null || male === null ? null : total - male,
            plz: plz === '' ? null : plz,
            plzEindeutig: plz === '' ? null : field(line, 171, 175).trim() !== '*****',
          },
        });
        counts.Gemeinde += 1;
        return;
      }
      default:
        errors.push({ where: `Zeile ${lineNo}, Spalte 1`, detail: `unbekannte Satzart "${satzart}" (erwartet 10, 20, 30, 40, 50 oder 60)` });
    }
  });
  // A Kreis belongs to its Regierungsbezirk where the Land has them, else directly to the Land.
  for (const { unit, rb, land } of kreisParents) unit.parentCode = regierungsbezirke.has(rb) ? rb : land;
  // Gemeindefreie Gebiete outside any Kreis (Küstengewässer 13000, the German-Luxembourg
  // condominium 07000) have a Verband with Kreis part 000 and no Kreis record: they hang
  // directly below their Regierungsbezirk or Land.
  const kreise = new Set(kreisParents.map((k) => k.unit.code));
  for (const unit of units) {
    if (unit.unitType === 'Gemeindeverband' && unit.parentCode !== null && !kreise.has(unit.parentCode)) {
      const rb = unit.parentCode.slice(0, 3);
      unit.parentCode = regierungsbezirke.has(rb) ? rb : unit.parentCode.slice(0, 2);
    }
  }

  if (errors.length > 0) throw new AreaRuleViolation('unparsable-file', `${fileName} ist kein gültiges GV100AD-Gemeindeverzeichnis (${errors.length} Fehler).`, errors.slice(0, 200));
  if (gebietsstand === null || units.length === 0) throw new AreaRuleViolation('unparsable-file', `${fileName} enthält keine Datensätze.`);
  return { gebietsstand, units, counts, encoding };
}
