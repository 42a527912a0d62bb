/**
 * `lagebild areas ...`: the spatial register from the command line. Imports of area files
 * (GeoJSON, shapefile, zipped shapefile, CSV), the Gemeindeverzeichnis (GV100AD), name mapping
 * tables, crosswalks, publishing, listing. Output and errors in German; a refusal prints every
 * error and exits 1.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Actor,
  type AreaFile,
  areaFileFromDisk,
  type AreasContext,
  AreaRuleViolation,
  attachNameMapping,
  createAreaRegister,
  deriveCrosswalk,
  GEMEINDEVERZEICHNIS_SCHEME_ID,
  type ImportMapping,
  type ImportResult,
  importAreaFile,
  loadAreaImportProfile,
  loadGemeindeverzeichnis,
  loadMatchCorrections,
  loadNameMappingTable,
  publishVersion,
  readPopulationCsv,
} from '@lagebild/ingestion';
import { openCommandContext } from './context';
import { type Command, UsageError } from './types';

const ACTOR: Actor = { subject: 'system:cli' };

const FORMATS = ['geojson', 'csv', 'shapefile', 'zip', 'gv100ad'] as const;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function requireDay(value: string, option: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`${option}: "${value}" ist kein Datum (JJJJ-MM-TT).`);
  return value;
}

/** Runs with the register's ports; prints a refusal with all its errors and returns 1. */
async function withRegister(work: (ctx: AreasContext) => Promise<number>): Promise<number> {
  const context = await openCommandContext('areas');
  try {
    return await work({ eventStore: context.platform.eventStore, documents: context.platform.documents, logger: context.logger });
  } catch (error) {
    if (error instanceof AreaRuleViolation) {
      console.error(`Fehler: ${error.detail}`);
      for (const entry of error.errors) console.error(`  - ${entry.where ? `${entry.where}: ` : ''}${entry.detail}`);
      return 1;
    }
    throw error;
  } finally {
    await context.close();
  }
}

function printImport(result: ImportResult): void {
  const kind: Record<string, string> = { geojson: 'GeoJSON', shapefile: 'Shapefile', csv: 'CSV', gv100ad: 'GV100AD' };
  if (result.schemeCreated) console.log(`Gebietsgliederung ${result.schemeId} angelegt.`);
  console.log(`${result.fileName} gelesen: ${result.features} ${result.format === 'csv' || result.format === 'gv100ad' ? 'Datensätze' : 'Features'} (${kind[result.format] ?? result.format}).`);
  for (const note of result.notes) console.log(`  ${note}`);
  if (result.importId === null) console.log('Keine Änderung: die Datei enthält dieselben Einheiten wie die Gebietsgliederung.');
  else console.log(`Importiert: ${result.created} neu, ${result.updated} geändert, ${result.retired} aufgehoben, ${result.unchanged} unverändert.`);
}

const IMPORT_USAGE = `Aufruf: lagebild areas import DATEI --scheme ID [Optionen]

Liest Gebietseinheiten aus GeoJSON, einem Shapefile (.shp mit .dbf/.prj/.cpg daneben), einem
ZIP mit Shapefile oder einer CSV-Datei (Spalten code, name, type, parent) in die
Gebietsgliederung ID und veröffentlicht sie als neue Version.

Optionen:
  --scheme ID             Gebietsgliederung, z. B. berlin-lor-planungsraeume (Pflicht)
  --name NAME             Name der Gebietsgliederung; legt sie an, wenn es sie noch nicht gibt
  --tenant AGS            Mandant (5 oder 8 Ziffern); ohne: gemeinsame Referenzgliederung
  --profile NAME|DATEI    Importprofil aus services/ingestion/profiles/areas (z. B. berlin-lor-2021)
  --type TYP              Gebietstyp aller Einheiten, z. B. Stadtteil, Planungsraum
  --code-field FELD       Feld mit dem Code (sonst: code, id, ...)
  --name-field FELD       Feld mit dem Namen (sonst: name, bezeichnung, ...)
  --parent-field FELD     Feld mit dem Code des übergeordneten Gebiets
  --parent-name-field FELD, --parent-type TYP
                          fehlende übergeordnete Gebiete aus diesen Feldern anlegen
  --official-key-field FELD  Feld mit dem amtlichen Schlüssel (AGS)
  --encoding KODIERUNG    Zeichenkodierung von DBF/CSV, z. B. latin1 (sonst .cpg bzw. erkannt)
  --crs CRS               Koordinatensystem, wenn die Datei keines nennt, z. B. EPSG:25832
  --format FORMAT         geojson, csv, shapefile, zip oder gv100ad (sonst nach Dateiendung)
  --valid-from DATUM      gültig ab (JJJJ-MM-TT; Standard: heute, GV100AD: Gebietsstand)
  --reason TEXT           Grund der Änderung (Standard: Import aus DATEI)
  --replace               Einheiten der importierten Typen, die die Datei nicht mehr nennt, aufheben
  --draft                 nur in den Entwurf übernehmen, keine Version veröffentlichen
  --strip-prefix PRÄFIX   beim Namensabgleich ignorieren (mehrfach möglich), z. B. Hamburg-`;

export const areasImportCommand: Command = {
  path: ['areas', 'import'],
  summary: 'liest Gebietseinheiten (GeoJSON, Shapefile, CSV, GV100AD) in eine Gebietsgliederung',
  usage: IMPORT_USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        scheme: { type: 'string' },
        name: { type: 'string' },
        tenant: { type: 'string' },
        profile: { type: 'string' },
        type: { type: 'string' },
        'code-field': { type: 'string' },
        'name-field': { type: 'string' },
        'parent-field': { type: 'string' },
        'parent-name-field': { type: 'string' },
        'parent-type': { type: 'string' },
        'official-key-field': { type: 'string' },
        encoding: { type: 'string' },
        crs: { type: 'string' },
        format: { type: 'string' },
        'valid-from': { type: 'string' },
        reason: { type: 'string' },
        replace: { type: 'boolean', default: false },
        draft: { type: 'boolean', default: false },
        'strip-prefix': { type: 'string', multiple: true },
      },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Die Datei fehlt.' : `Genau eine Datei erwartet, erhalten: ${positionals.join(', ')}.`);
    const filePath = path.resolve(positionals[0]!);
    const format = values.format as (typeof FORMATS)[number] | undefined;
    if (format !== undefined && !FORMATS.includes(format)) throw new UsageError(`--format: "${format}" ist unbekannt (erlaubt: ${FORMATS.join(', ')}).`);
    if (values.tenant !== undefined && !/^(\d{5}|\d{8})$/.test(values.tenant)) throw new UsageError(`--tenant: "${values.tenant}" ist kein AGS (5 oder 8 Ziffern).`);
    if (values['valid-from'] !== undefined) requireDay(values['valid-from'], '--valid-from');

    if (format === 'gv100ad') {
      if (values.scheme !== undefined && values.scheme !== GEMEINDEVERZEICHNIS_SCHEME_ID) {
        throw new UsageError(`Das Gemeindeverzeichnis wird in die Gebietsgliederung "${GEMEINDEVERZEICHNIS_SCHEME_ID}" geladen, nicht in "${values.scheme}".`);
      }
      return loadGv(filePath, values.encoding, values.reason);
    }
    if (values.scheme === undefined) throw new UsageError('--scheme fehlt: in welche Gebietsgliederung soll importiert werden?');
    const schemeId = values.scheme;

    return withRegister(async (ctx) => {
      const profile = values.profile !== undefined ? await loadAreaImportProfile(values.profile) : undefined;
      const mapping: ImportMapping = { ...(profile?.mapping ?? {}) };
      const flags: Array<[keyof ImportMapping, string | undefined]> = [
        ['unitType', values.type],
        ['codeField', values['code-field']],
        ['nameField', values['name-field']],
        ['parentField', values['parent-field']],
        ['parentNameField', values['parent-name-field']],
        ['parentType', values['parent-type']],
        ['officialKeyField', values['official-key-field']],
      ];
      for (const [key, value] of flags) if (value !== undefined) Object.assign(mapping, { [key]: value });
      let file: AreaFile;
      try {
        file = await areaFileFromDisk(filePath, format);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          console.error(`Fehler: Die Datei ${filePath} gibt es nicht.`);
          return 1;
        }
        throw error;
      }
      if (file.kind === 'gv100ad') return loadGvWith(ctx, filePath, values.encoding, values.reason);
      const validFrom = values['valid-from'] ?? today();
      const reason = values.reason ?? `Import aus ${path.basename(filePath)}`;
      const encoding = values.encoding ?? profile?.readOptions?.encoding;
      const crs = values.crs ?? profile?.readOptions?.crs;
      const stripPrefixes = values['strip-prefix'] ?? [...(profile?.nameMatching?.stripPrefixes ?? [])];
      const result = await importAreaFile(
        ctx,
        {
          schemeId,
          file,
          mapping,
          readOptions: { ...(encoding ? { encoding } : {}), ...(crs ? { crs } : {}) },
          validFrom,
          reason,
          mode: values.replace ? 'replace' : 'merge',
          ...(values.name !== undefined ? { createScheme: { name: values.name, tenant: values.tenant ?? null, stripPrefixes } } : {}),
          ...(values.draft ? {} : { publish: {} }),
        },
        ACTOR,
      );
      printImport(result);
      if (result.publishedVersion !== null) console.log(`Version ${result.publishedVersion} von ${schemeId} veröffentlicht, gültig ab ${validFrom}.`);
      else if (values.draft) console.log(`Im Entwurf von ${schemeId}; veröffentlichen mit: lagebild areas publish --scheme ${schemeId} --valid-from ${validFrom} --reason "..."`);
      return 0;
    });
  },
};

async function loadGvWith(ctx: AreasContext, filePath: string, encoding: string | undefined, reason: string | undefined): Promise<number> {
  const bytes = await readFile(filePath);
  const result = await loadGemeindeverzeichnis(ctx, { fileName: path.basename(filePath), bytes, ...(encoding ? { encoding } : {}), ...(reason ? { reason } : {}) }, ACTOR);
  printImport(result);
  if (result.publishedVersion !== null) console.log(`Gemeindeverzeichnis Version ${result.publishedVersion} veröffentlicht, Gebietsstand ${result.gebietsstand}.`);
  else console.log(`Der Gebietsstand ${result.gebietsstand} ist schon geladen.`);
  return 0;
}

async function loadGv(filePath: string, encoding: string | undefined, reason: string | undefined): Promise<number> {
  return withRegister(async (ctx) => {
    try {
      return await loadGvWith(ctx, filePath, encoding, reason);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        console.error(`Fehler: Die Datei ${filePath} gibt es nicht.`);
        return 1;
      }
      throw error;
    }
  });
}

export const areasLoadGv100adCommand: Command = {
  path: ['areas', 'load-gv100ad'],
  summary: 'lädt das Gemeindeverzeichnis (Destatis GV100AD) als Gebietsgliederung gemeindeverzeichnis',
  usage: `Aufruf: lagebild areas load-gv100ad DATEI [--encoding KODIERUNG] [--reason TEXT]

Lädt Länder, Regierungsbezirke, Regionen, Kreise, Gemeindeverbände und Gemeinden mit AGS,
Fläche und Bevölkerung aus der Festbreitendatei GV100AD_TTMMJJ.txt. Gültig ab dem Gebietsstand
der Datei; Einheiten, die eine neuere Datei nicht mehr nennt, werden aufgehoben.`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { encoding: { type: 'string' }, reason: { type: 'string' } } });
    if (positionals.length !== 1) throw new UsageError('Genau eine GV100AD-Datei erwartet.');
    return loadGv(path.resolve(positionals[0]!), values.encoding, values.reason);
  },
};

export const areasListCommand: Command = {
  path: ['areas', 'list'],
  summary: 'listet die Gebietsgliederungen mit ihren Versionen',
  usage: 'Aufruf: lagebild areas list\n\nZeigt jede Gebietsgliederung mit Mandant, Versionen (gültig ab, Einheiten je Typ, Grund) und offenen Änderungen.',
  async run(argv) {
    parseArgs({ args: argv, options: {} });
    return withRegister(async (ctx) => {
      const schemes = await createAreaRegister(ctx.documents).listSchemes();
      if (schemes.length === 0) {
        console.log('Noch keine Gebietsgliederung. Anlegen mit: lagebild areas import DATEI --scheme ID --name NAME');
        return 0;
      }
      console.log(`${schemes.length} Gebietsgliederung${schemes.length === 1 ? '' : 'en'}:`);
      for (const s of schemes) {
        console.log(`\n${s.schemeId}  ${s.name}  (${s.tenant === null ? 'gemeinsame Referenz' : `Mandant ${s.tenant}`})`);
        if (s.versions.length === 0) console.log('  noch keine veröffentlichte Version');
        for (const v of s.versions) {
          const types = Object.entries(v.unitTypes)
            .map(([type, n]) => `${n} ${type}`)
            .join(', ');
          const crosswalk = v.crosswalk ? `; Umschlüsselung: ${v.crosswalk.weights} Gewichte, ${v.crosswalk.seriesBreaks} Zeitreihenbrüche` : '';
          console.log(`  Version ${v.version}  gültig ab ${v.validFrom}${v.validTo ? ` bis vor ${v.validTo}` : ''}: ${types}${crosswalk}  – ${v.reason}`);
        }
        if (s.draft.pendingChanges.length > 0) console.log(`  Entwurf: ${s.draft.pendingChanges.length} offene Änderung(en), noch nicht veröffentlicht`);
      }
      return 0;
    });
  },
};

export const areasPublishCommand: Command = {
  path: ['areas', 'publish'],
  summary: 'veröffentlicht den Entwurf einer Gebietsgliederung als neue Version',
  usage: 'Aufruf: lagebild areas publish --scheme ID --valid-from DATUM --reason TEXT',
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { scheme: { type: 'string' }, 'valid-from': { type: 'string' }, reason: { type: 'string' } } });
    if (!values.scheme || !values['valid-from'] || !values.reason) throw new UsageError('--scheme, --valid-from und --reason sind Pflicht.');
    const validFrom = requireDay(values['valid-from'], '--valid-from');
    return withRegister(async (ctx) => {
      const outcome = await publishVersion(ctx, values.scheme!, { validFrom, reason: values.reason! }, ACTOR);
      console.log(`Version ${outcome.version} von ${values.scheme} veröffentlicht, gültig ab ${validFrom}.`);
      return 0;
    });
  },
};

export const areasNamesCommand: Command = {
  path: ['areas', 'names'],
  summary: 'hängt eine Namenszuordnung (Aliase, zusammengefasste Gebiete) an eine Gebietsgliederung',
  usage: `Aufruf: lagebild areas names NAME|DATEI --scheme ID

Liest eine Namenszuordnung (JSON: source, groups: [{name, codes, note}]) aus
services/ingestion/profiles/areas oder einer Datei, z. B. hamburg-stadtteile-namen.`,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { scheme: { type: 'string' } } });
    if (positionals.length !== 1 || !values.scheme) throw new UsageError('Genau eine Namenszuordnung und --scheme erwartet.');
    return withRegister(async (ctx) => {
      const table = await loadNameMappingTable(positionals[0]!);
      await attachNameMapping(ctx, values.scheme!, table, ACTOR);
      const groups = table.groups.filter((g) => g.codes.length > 1).length;
      console.log(`Namenszuordnung an ${values.scheme} angehängt: ${table.groups.length} Namen, davon ${groups} für zusammengefasste Gebiete.`);
      return 0;
    });
  },
};

export const areasCrosswalkCommand: Command = {
  path: ['areas', 'crosswalk'],
  summary: 'leitet die Umschlüsselung zur nächsten Version aus Zuordnungstabelle und Bevölkerung ab',
  usage: `Aufruf: lagebild areas crosswalk --scheme ID --matches DATEI --from-population DATEI --to-population DATEI [Optionen]

Gewichte von der aktuellen Version zum Entwurf: Gruppen aus der Zuordnungstabelle (JSON
{"alt": ["neu", ...]}, beide Richtungen erlaubt), gewichtet mit der Bevölkerung der neuen
Einheiten; Gruppen, deren alte und neue Bevölkerung mehr als die Toleranz abweicht, und
nicht zugeordnete Einheiten werden als Zeitreihenbruch markiert.

Optionen:
  --corrections NAME|DATEI   Korrekturen der Zuordnungstabelle (z. B. berlin-lor-matches-corrections)
  --code-column SPALTE       Spalte mit dem Code in den Bevölkerungsdateien (Standard: id)
  --population-column SPALTE Spalte mit der Bevölkerung (Standard: inhabitants)
  --tolerance ANTEIL         erlaubte Abweichung je Gruppe (Standard: 0.05)`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        scheme: { type: 'string' },
        matches: { type: 'string' },
        'from-population': { type: 'string' },
        'to-population': { type: 'string' },
        corrections: { type: 'string' },
        'code-column': { type: 'string', default: 'id' },
        'population-column': { type: 'string', default: 'inhabitants' },
        tolerance: { type: 'string' },
      },
    });
    if (!values.scheme || !values.matches || !values['from-population'] || !values['to-population']) {
      throw new UsageError('--scheme, --matches, --from-population und --to-population sind Pflicht.');
    }
    const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
    if (tolerance !== undefined && !(tolerance > 0 && tolerance < 0.5)) throw new UsageError(`--tolerance: "${values.tolerance}" ist kein Anteil zwischen 0 und 0,5.`);
    return withRegister(async (ctx) => {
      const columns = { code: values['code-column']!, population: values['population-column']! };
      const fromFile = path.resolve(values['from-population']!);
      const toFile = path.resolve(values['to-population']!);
      const matchText = await readFile(path.resolve(values.matches!), 'utf8');
      let matchTable: Record<string, unknown>;
      try {
        matchTable = JSON.parse(matchText) as Record<string, unknown>;
      } catch (error) {
        console.error(`Fehler: ${values.matches} ist kein gültiges JSON: ${(error as Error).message}`);
        return 1;
      }
      const { derivation } = await deriveCrosswalk(
        ctx,
        values.scheme!,
        {
          matchTable,
          corrections: values.corrections ? await loadMatchCorrections(values.corrections) : [],
          fromPopulation: readPopulationCsv(await readFile(fromFile), path.basename(fromFile), columns),
          toPopulation: readPopulationCsv(await readFile(toFile), path.basename(toFile), columns),
          ...(tolerance !== undefined ? { tolerance } : {}),
          populationSource: `Bevölkerung aus ${path.basename(fromFile)} und ${path.basename(toFile)}`,
        },
        ACTOR,
      );
      const s = derivation.summary;
      console.log(`Umschlüsselung für ${values.scheme} festgelegt: ${derivation.weights.length} Gewichte aus ${s.trustedGroups} von ${s.groups} Gruppen (${s.oneToOne} 1:1, ${s.splits} Teilungen, ${s.merges} Zusammenlegungen).`);
      console.log(`Zeitreihenbrüche: ${s.seriesBreaks} Einheiten.`);
      for (const b of derivation.seriesBreaks.slice(0, 20)) console.log(`  - ${b.code}: ${b.reason}`);
      if (derivation.seriesBreaks.length > 20) console.log(`  ... und ${derivation.seriesBreaks.length - 20} weitere`);
      console.log(`Methode: ${derivation.method}`);
      return 0;
    });
  },
};

export const areasCommands: readonly Command[] = [areasImportCommand, areasLoadGv100adCommand, areasListCommand, areasPublishCommand, areasNamesCommand, areasCrosswalkCommand];
