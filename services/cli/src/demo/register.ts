/**
 * The spatial register of the demo, built through the areas feature's own application functions.
 * Every function here may run again on a register that already has (part of) it: a scheme with a
 * published version is left as it is (the demo publishes each scheme once, and the register
 * refuses a second import valid from the same day), a scheme that exists is not created again,
 * a file whose units are unchanged records nothing, and a version is published only while the
 * draft holds changes or none was published yet. So a first start that stopped half-way
 * completes at the next one.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Actor, areaFileFromDisk, type AreasContext, type ImportResult, importAreaFile, loadAreaImportProfile, loadGemeindeverzeichnis, loadScheme } from '@lagebild/ingestion';

export const BERLIN_SCHEME = 'berlin-lor-planungsraeume';
export const BERLIN_TENANT = '11000';
export const FLENSBURG_SCHEME = 'flensburg-stadtteile';
export const FLENSBURG_TENANT = '01001';

/** What a register step changed: units created or updated, versions published. */
export interface RegisterOutcome {
  created: number;
  updated: number;
  published: number[];
}

const NOTHING: RegisterOutcome = { created: 0, updated: 0, published: [] };

/** Whether the scheme has a published version already: then its boundaries are in, and stay as they are. */
async function isPublished(ctx: AreasContext, schemeId: string): Promise<boolean> {
  const { state } = await loadScheme(ctx, schemeId);
  return state.versions.length > 0;
}

function outcome(results: readonly ImportResult[]): RegisterOutcome {
  return {
    created: results.reduce((n, r) => n + r.created, 0),
    updated: results.reduce((n, r) => n + r.updated, 0),
    published: results.map((r) => r.publishedVersion).filter((v): v is number => v !== null),
  };
}

/**
 * Berlin's 12 Bezirke and its 542 LOR-Planungsräume as valid from 2021-01-01 (one version, no
 * pre-2021 boundaries): the Bezirke first, since the Planungsräume name them as parents.
 * `geometryDir` holds bezirke.geojson and lor_planungsraeume_2021.{shp,shx,dbf,prj,cpg}.
 */
export async function berlinPlanungsraeume2021(ctx: AreasContext, geometryDir: string, actor: Actor): Promise<RegisterOutcome> {
  if (await isPublished(ctx, BERLIN_SCHEME)) return NOTHING;
  const validFrom = '2021-01-01';
  const bezirke = await loadAreaImportProfile('berlin-bezirke');
  const first = await importAreaFile(
    ctx,
    {
      schemeId: BERLIN_SCHEME,
      file: await areaFileFromDisk(path.join(geometryDir, 'bezirke.geojson')),
      mapping: bezirke.mapping,
      validFrom,
      reason: bezirke.description,
      createScheme: { name: 'Berlin LOR-Planungsräume', tenant: BERLIN_TENANT },
    },
    actor,
  );
  const lor = await loadAreaImportProfile('berlin-lor-2021');
  const second = await importAreaFile(
    ctx,
    {
      schemeId: BERLIN_SCHEME,
      file: await areaFileFromDisk(path.join(geometryDir, 'lor_planungsraeume_2021.shp')),
      mapping: lor.mapping,
      validFrom,
      reason: lor.description,
      publish: { reason: 'LOR-Planungsräume 2021 (Demo)' },
    },
    actor,
  );
  return outcome([first, second]);
}

/** Flensburg's 13 Stadtteile (codes 1..13, as the Sozialatlas keys them), valid from 2011. */
export async function flensburgStadtteile(ctx: AreasContext, file: string, actor: Actor): Promise<RegisterOutcome> {
  if (await isPublished(ctx, FLENSBURG_SCHEME)) return NOTHING;
  const profile = await loadAreaImportProfile('flensburg-stadtteile');
  const result = await importAreaFile(
    ctx,
    {
      schemeId: FLENSBURG_SCHEME,
      file: await areaFileFromDisk(file),
      mapping: profile.mapping,
      // The Sozialatlas reaches back to 2011 in today's 13 Stadtteile.
      validFrom: '2011-01-01',
      reason: profile.description,
      createScheme: { name: 'Flensburg Stadtteile', tenant: FLENSBURG_TENANT },
      publish: {},
    },
    actor,
  );
  return outcome([result]);
}

/** A GV100AD file (here the demo's extract) as the shared scheme `gemeindeverzeichnis`. */
export async function gemeindeverzeichnis(ctx: AreasContext, file: string, actor: Actor): Promise<RegisterOutcome & { gemeinden: number; gebietsstand: string }> {
  const result = await loadGemeindeverzeichnis(ctx, { fileName: path.basename(file), bytes: await readFile(file) }, actor);
  return { ...outcome([result]), gemeinden: result.counts.Gemeinde ?? 0, gebietsstand: result.gebietsstand };
}
