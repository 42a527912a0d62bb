/**
 * HTTP routes of the register, mounted in the ingestion service's router (`/api/ingestion/...`).
 * Reading: any authenticated role of the scheme's tenant (or of a Kreis listing it as member);
 * shared reference schemes (Gemeindeverzeichnis) for everyone. Writing: admin and sozialplanung
 * of the owning tenant; shared schemes: admin. Every refusal is German problem+json.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  canAccessTenant,
  ForbiddenProblem,
  NotFoundProblem,
  parseInput,
  principalOf,
  type Principal,
  ProblemError,
  type Role,
} from '@lagebild/platform';
import {
  type Actor,
  applyUnitChange,
  assignDesignation,
  attachNameMapping,
  type AreasContext,
  createScheme,
  defineCrosswalk,
  deriveCrosswalk,
  importAreaFile,
  loadGemeindeverzeichnis,
  loadScheme,
  publishVersion,
  type UnitChangeInput,
} from './application';
import { AreaRuleViolation, type AreaErrorCode, SCHEME_ID } from './decide';
import { createGemeindeverzeichnis, GEMEINDEVERZEICHNIS_SCHEME_ID } from './gemeindeverzeichnis';
import type { ImportMapping } from './mapping';
import { currentVersion, isIsoDay, unitsValidOn } from './model';
import { buildNameIndex } from './names';
import { createAreaRegister, type SchemeDocument } from './projections';
import { type AreaFile, kindOf, shapefileFromParts } from './sources';
import { bufferFile, readMultipart, type BufferedFile, type Multipart } from '../http/upload';

const STATUS: Record<AreaErrorCode, number> = {
  'unknown-scheme': 404,
  'unknown-unit': 404,
  'scheme-exists': 409,
  'duplicate-code': 409,
  'validity-overlap': 409,
  'nothing-to-publish': 409,
  'unit-retired': 409,
  'invalid-input': 400,
  'parent-missing': 422,
  cycle: 422,
  'crosswalk-invalid': 422,
  'unparsable-file': 422,
};

const TITLE: Record<AreaErrorCode, string> = {
  'unknown-scheme': 'Gebietsgliederung unbekannt',
  'unknown-unit': 'Gebietseinheit unbekannt',
  'scheme-exists': 'Gebietsgliederung existiert schon',
  'duplicate-code': 'Doppelter Code',
  'validity-overlap': 'Gültigkeit überschneidet sich',
  'nothing-to-publish': 'Nichts zu veröffentlichen',
  'unit-retired': 'Gebietseinheit aufgehoben',
  'invalid-input': 'Ungültige Angaben',
  'parent-missing': 'Übergeordnetes Gebiet fehlt',
  cycle: 'Zyklus in der Gliederung',
  'crosswalk-invalid': 'Umschlüsselung fehlerhaft',
  'unparsable-file': 'Datei nicht lesbar',
};

/** The register's refusal as problem+json (type `urn:lagebild:problem:area-<code>`). */
export function problemOf(error: AreaRuleViolation): ProblemError {
  return new ProblemError({
    status: STATUS[error.code],
    type: `area-${error.code}`,
    title: TITLE[error.code],
    detail: error.errors.length > 0 ? `${error.detail} (${error.errors.length} Fehler, siehe errors)` : error.detail,
    extensions: error.errors.length > 0 ? { errors: error.errors.map((e) => ({ ...(e.where ? { where: e.where } : {}), detail: e.detail })) } : {},
    cause: error,
  });
}

async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AreaRuleViolation) throw problemOf(error);
    throw error;
  }
}

const WRITERS: readonly Role[] = ['admin', 'sozialplanung'];

function canRead(principal: Principal, doc: SchemeDocument): boolean {
  return doc.tenant === null || canAccessTenant(principal, doc.tenant);
}

function assertWrite(principal: Principal, tenant: string | null): void {
  if (tenant === null) {
    if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Gemeinsame Referenzgliederungen (z. B. das Gemeindeverzeichnis) darf nur die Rolle admin ändern.');
    return;
  }
  if (!principal.roles.some((r) => WRITERS.includes(r))) {
    throw new ForbiddenProblem(`Gebietsgliederungen ändern dürfen die Rollen ${WRITERS.join(', ')}; Ihre Rollen: ${principal.roles.join(', ') || 'keine'}.`);
  }
  if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Die Gebietsgliederung gehört dem Mandanten ${tenant}; Ihr Mandant ist ${principal.tenant}.`);
}

function actorOf(req: Request): Actor {
  return { subject: `user:${principalOf(req).subject}`, correlationId: req.requestId };
}

const Day = z.string().refine(isIsoDay, 'erwartet ein Datum (JJJJ-MM-TT)');
const Reason = z.string().trim().min(3);

const UnitBody = z.object({
  code: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1),
  unitType: z.string().trim().min(1),
  parentCode: z.string().trim().min(1).nullable().default(null),
  officialKey: z.string().trim().min(1).nullable().default(null),
  aliases: z.array(z.string().trim().min(1)).default([]),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  geometry: z.object({ type: z.string(), coordinates: z.unknown().optional(), geometries: z.unknown().optional() }).nullable().default(null),
});

const Weight = z.object({ fromCode: z.string().min(1), toCode: z.string().min(1), weight: z.number() });

const ChangeBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('create'), unit: UnitBody, validFrom: Day, reason: Reason }),
  z.object({ kind: z.literal('rename'), code: z.string().min(1), name: z.string().trim().min(1), validFrom: Day, reason: Reason }),
  z.object({ kind: z.literal('split'), code: z.string().min(1), into: z.array(UnitBody).min(2), weights: z.array(Weight).nullable().default(null), validFrom: Day, reason: Reason }),
  z.object({ kind: z.literal('merge'), codes: z.array(z.string().min(1)).min(2), into: UnitBody, validFrom: Day, reason: Reason }),
  z.object({ kind: z.literal('retire'), code: z.string().min(1), validFrom: Day, reason: Reason }),
  z.object({ kind: z.literal('boundary'), code: z.string().min(1), geometry: UnitBody.shape.geometry, validFrom: Day, reason: Reason }),
]);

const CreateSchemeBody = z.object({
  schemeId: z.string().regex(SCHEME_ID, 'Kleinbuchstaben, Ziffern und Bindestriche, 2 bis 63 Zeichen'),
  name: z.string().trim().min(2),
  tenant: z.string().regex(/^(\d{5}|\d{8})$/, 'AGS mit 5 oder 8 Ziffern').nullable().optional(),
  description: z.string().nullable().optional(),
  stripPrefixes: z.array(z.string().min(1)).optional(),
});

const PublishBody = z.object({ validFrom: Day, reason: Reason });

const DesignationBody = z.object({
  unitCode: z.string().min(1),
  designation: z.object({ code: z.string().regex(/^[a-z0-9][a-z0-9-]*$/), name: z.string().trim().min(2) }),
  validFrom: Day,
  validTo: Day.nullable().default(null),
  reason: Reason,
});

const NameMappingBody = z.object({
  source: z.string().trim().min(1),
  groups: z.array(z.object({ name: z.string().trim().min(1), codes: z.array(z.string().min(1)).min(1), note: z.string().nullable().default(null) })).min(1),
});

const CrosswalkBody = z.union([
  z.object({ weights: z.array(Weight), seriesBreaks: z.array(z.object({ code: z.string().min(1), reason: z.string().min(1) })).default([]), method: z.string().trim().min(10) }),
  z.object({
    derive: z.object({
      matchTable: z.record(z.string(), z.array(z.string())),
      corrections: z.array(z.object({ key: z.string(), replace: z.record(z.string(), z.string()), reason: z.string().min(3) })).default([]),
      fromPopulation: z.record(z.string(), z.number().min(0)),
      toPopulation: z.record(z.string(), z.number().min(0)),
      tolerance: z.number().positive().max(0.5).optional(),
      populationSource: z.string().optional(),
    }),
  }),
]);

const MatchBody = z.object({ names: z.array(z.string()).min(1).max(10_000), version: z.number().int().positive().optional(), unitTypes: z.array(z.string()).optional() });

const ImportFields = z.object({
  validFrom: Day,
  reason: Reason,
  mode: z.enum(['merge', 'replace']).default('merge'),
  publish: z.enum(['true', 'false']).default('false'),
  format: z.enum(['geojson', 'csv', 'shapefile', 'zip']).optional(),
  encoding: z.string().optional(),
  crs: z.string().optional(),
  mapping: z.string().optional(),
  codeField: z.string().optional(),
  nameField: z.string().optional(),
  typeField: z.string().optional(),
  unitType: z.string().optional(),
  parentField: z.string().optional(),
  parentNameField: z.string().optional(),
  parentType: z.string().optional(),
  officialKeyField: z.string().optional(),
});

const MappingJson = z.object({
  codeField: z.string().optional(),
  nameField: z.string().optional(),
  typeField: z.string().optional(),
  unitType: z.string().optional(),
  parentField: z.string().optional(),
  parentCodePrefix: z.number().int().positive().optional(),
  parentNameField: z.string().optional(),
  parentType: z.string().optional(),
  officialKeyField: z.string().optional(),
  aliasFields: z.array(z.string()).optional(),
  attributeFields: z.array(z.string()).optional(),
  codeTransform: z.enum(['none', 'leading-number']).optional(),
  nameTransform: z.enum(['none', 'strip-leading-number']).optional(),
  corrections: z
    .array(z.object({ featureIndex: z.number().int().min(0), expect: z.record(z.string(), z.string()), set: z.record(z.string(), z.string()), reason: z.string().min(3) }))
    .optional(),
});

function mappingFrom(fields: z.output<typeof ImportFields>): ImportMapping {
  let base: ImportMapping = {};
  if (fields.mapping) {
    let raw: unknown;
    try {
      raw = JSON.parse(fields.mapping);
    } catch (error) {
      throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: `Das Feld "mapping" ist kein JSON: ${(error as Error).message}` });
    }
    base = parseInput(MappingJson, raw) as ImportMapping;
  }
  const explicit = Object.fromEntries(
    (['codeField', 'nameField', 'typeField', 'unitType', 'parentField', 'parentNameField', 'parentType', 'officialKeyField'] as const).filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]),
  );
  return { ...base, ...explicit };
}

function areaFileFrom(files: ReadonlyArray<{ fileName: string; bytes: Buffer }>, format: string | undefined): AreaFile {
  if (files.length === 0) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Es wurde keine Datei hochgeladen (Feld "file").' });
  if (files.length > 1 || format === 'shapefile') return shapefileFromParts(files);
  const file = files[0]!;
  const kind = (format as AreaFile['kind'] | undefined) ?? kindOf(file.fileName, file.bytes);
  if (!kind || kind === 'gv100ad') {
    throw new ProblemError({
      status: 415,
      type: 'unsupported-file-type',
      title: 'Dateiformat nicht unterstützt',
      detail: `Das Format von ${file.fileName} ist nicht erkennbar (erwartet .geojson/.json, .csv, .zip mit Shapefile oder die Teile .shp/.dbf/.prj); Feld "format" angeben.`,
    });
  }
  if (kind === 'shapefile') return shapefileFromParts(files);
  return { kind, fileName: file.fileName, bytes: file.bytes } as AreaFile;
}

export interface UploadLimits {
  /** Largest single file in bytes. */
  fileBytes: number;
  /** Most files per request (a shapefile is up to 5 parts). */
  files: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { fileBytes: 200 * 1024 * 1024, files: 8 };

/** An area file (or a shapefile's parts) upload, read into memory: the readers take whole files. */
function readUpload(req: Request, limits: UploadLimits): Promise<Multipart<BufferedFile>> {
  return readMultipart(req, {
    // A mapping with many corrections is a long form field.
    limits: { files: limits.files, fileBytes: limits.fileBytes, fieldSize: 1024 * 1024 },
    accepts: 'Dateien werden als multipart/form-data hochgeladen',
    tooManyFiles: `Höchstens ${limits.files} Dateien je Anfrage.`,
    onFile: (part) => bufferFile(part, limits.fileBytes),
  });
}

export interface AreasRouterOptions {
  uploadLimits?: UploadLimits;
}

export function createAreasRouter(ctx: AreasContext, options: AreasRouterOptions = {}): Router {
  const router = Router();
  const register = createAreaRegister(ctx.documents);
  const gv = createGemeindeverzeichnis(ctx.documents);
  const limits = options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS;

  async function readable(req: Request): Promise<SchemeDocument> {
    const id = String(req.params.schemeId);
    const doc = await register.schemeDocument(id);
    if (!doc) throw problemOf(new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${id}" gibt es nicht.`));
    if (!canRead(principalOf(req), doc)) throw new ForbiddenProblem(`Die Gebietsgliederung "${id}" gehört dem Mandanten ${doc.tenant}; Ihr Mandant ist ${principalOf(req).tenant}.`);
    return doc;
  }

  async function writable(req: Request): Promise<SchemeDocument> {
    const doc = await readable(req);
    assertWrite(principalOf(req), doc.tenant);
    return doc;
  }

  function versionOf(doc: SchemeDocument, raw: unknown): number {
    const version = raw === undefined ? doc.currentVersion : Number(raw);
    if (!Number.isInteger(version) || !doc.versions.some((v) => v.version === version)) {
      throw new NotFoundProblem(
        doc.currentVersion === 0
          ? `Die Gebietsgliederung "${doc.schemeId}" hat noch keine veröffentlichte Version.`
          : `Die Gebietsgliederung "${doc.schemeId}" hat keine Version ${String(raw)} (vorhanden: 1 bis ${doc.currentVersion}).`,
      );
    }
    return version;
  }

  router.get('/schemes', async (req, res) => {
    const principal = principalOf(req);
    const docs = (await register.listSchemes()).filter((d) => canRead(principal, d));
    res.json({ schemes: docs.map(({ imports: _imports, nameGroups: _groups, ...rest }) => rest) });
  });

  router.post('/schemes', async (req, res) => {
    const body = parseInput(CreateSchemeBody, req.body);
    const principal = principalOf(req);
    const tenant = body.tenant === undefined ? principal.tenant : body.tenant;
    assertWrite(principal, tenant);
    await refusing(() => createScheme(ctx, { schemeId: body.schemeId, name: body.name, tenant, description: body.description ?? null, stripPrefixes: body.stripPrefixes ?? [] }, actorOf(req)));
    res.status(201).location(`${req.baseUrl}/schemes/${body.schemeId}`).json(await register.schemeDocument(body.schemeId));
  });

  router.get('/schemes/:schemeId', async (req, res) => {
    res.json(await readable(req));
  });

  router.get('/schemes/:schemeId/draft', async (req, res) => {
    const doc = await readable(req);
    const { state } = await loadScheme(ctx, doc.schemeId);
    const day = state.pendingChanges.map((c) => c.validFrom).sort().pop() ?? currentVersion(state)?.validFrom ?? null;
    const units = day ? unitsValidOn(state, day) : [...state.units.values()];
    res.json({
      schemeId: doc.schemeId,
      on: day,
      pendingChanges: state.pendingChanges,
      crosswalk: state.pendingCrosswalk,
      units: units.map(({ geometry, ...u }) => ({ ...u, hasGeometry: geometry !== null })),
    });
  });

  router.get('/schemes/:schemeId/versions/:version', async (req, res) => {
    const doc = await readable(req);
    const version = versionOf(doc, req.params.version);
    res.json({ ...doc.versions.find((v) => v.version === version), schemeId: doc.schemeId, crosswalk: (await register.crosswalk(doc.schemeId, version)) ?? null });
  });

  router.get('/schemes/:schemeId/versions/:version/units', async (req, res) => {
    const doc = await readable(req);
    const version = versionOf(doc, req.params.version);
    const type = typeof req.query.type === 'string' ? req.query.type : undefined;
    const units = (await register.unitDocuments(doc.schemeId, version)).filter((u) => !type || u.unitType === type);
    res.json({ schemeId: doc.schemeId, version, units });
  });

  router.get('/schemes/:schemeId/versions/:version/crosswalk', async (req, res) => {
    const doc = await readable(req);
    const version = versionOf(doc, req.params.version);
    const crosswalk = await register.crosswalk(doc.schemeId, version);
    if (!crosswalk) throw new NotFoundProblem(`Version ${version} von "${doc.schemeId}" hat keine Umschlüsselung (erste Version).`);
    res.json(crosswalk);
  });

  router.get('/schemes/:schemeId/units', async (req, res) => {
    const doc = await readable(req);
    const on = typeof req.query.on === 'string' ? req.query.on : undefined;
    if (on !== undefined && !isIsoDay(on)) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: `Parameter on: "${on}" ist kein Datum (JJJJ-MM-TT).` });
    const view = on ? await register.findSchemeVersionOn(doc.schemeId, on) : await register.findSchemeVersion(doc.schemeId);
    if (!view) throw new NotFoundProblem(on ? `Am ${on} gilt keine Version der Gebietsgliederung "${doc.schemeId}".` : `Die Gebietsgliederung "${doc.schemeId}" hat noch keine veröffentlichte Version.`);
    res.json(view);
  });

  router.get('/schemes/:schemeId/geometry', async (req, res) => {
    const doc = await readable(req);
    const version = versionOf(doc, req.query.version);
    const [units, geometries] = await Promise.all([register.unitDocuments(doc.schemeId, version), register.geometries(doc.schemeId, version)]);
    const byCode = new Map(units.map((u) => [u.code, u]));
    res.type('application/geo+json').send(
      JSON.stringify({
        type: 'FeatureCollection',
        features: geometries.map(({ code, geometry }) => {
          const unit = byCode.get(code);
          return { type: 'Feature', id: code, properties: { code, name: unit?.name ?? null, unitType: unit?.unitType ?? null, parentCode: unit?.parentCode ?? null, schemeId: doc.schemeId, version }, geometry };
        }),
      }),
    );
  });

  router.post('/schemes/:schemeId/match', async (req, res) => {
    const doc = await readable(req);
    const body = parseInput(MatchBody, req.body);
    const view = await register.findSchemeVersion(doc.schemeId, versionOf(doc, body.version));
    const index = buildNameIndex(view!);
    const results = body.names.map((name) => {
      const match = index.match(name, body.unitTypes ? { unitTypes: body.unitTypes } : {});
      switch (match.status) {
        case 'matched':
          return { name, status: match.status, code: match.code, via: match.via };
        case 'group':
          return { name, status: match.status, codes: match.codes, groupName: match.name, note: match.note };
        case 'ambiguous':
          return { name, status: match.status, codes: match.codes };
        case 'unmatched':
          return { name, status: match.status, suggestions: match.suggestions };
        default: {
          const _exhaustive: never = match;
          return _exhaustive;
        }
      }
    });
    res.json({
      schemeId: doc.schemeId,
      version: view!.version,
      matched: results.filter((r) => r.status === 'matched').length,
      unmatched: results.filter((r) => r.status === 'unmatched').map((r) => r.name),
      results,
    });
  });

  router.post('/schemes/:schemeId/imports', async (req, res) => {
    const doc = await writable(req);
    const upload = await readUpload(req, limits);
    const fields = parseInput(ImportFields, upload.fields);
    const file = areaFileFrom(upload.files, fields.format);
    const result = await refusing(() =>
      importAreaFile(
        ctx,
        {
          schemeId: doc.schemeId,
          file,
          mapping: mappingFrom(fields),
          readOptions: { ...(fields.encoding ? { encoding: fields.encoding } : {}), ...(fields.crs ? { crs: fields.crs } : {}) },
          validFrom: fields.validFrom,
          reason: fields.reason,
          mode: fields.mode,
          ...(fields.publish === 'true' ? { publish: {} } : {}),
        },
        actorOf(req),
      ),
    );
    res.status(result.importId ? 201 : 200).json(result);
  });

  router.post('/schemes/:schemeId/changes', async (req, res) => {
    const doc = await writable(req);
    const change = parseInput(ChangeBody, req.body) as UnitChangeInput;
    const outcome = await refusing(() => applyUnitChange(ctx, doc.schemeId, change, actorOf(req)));
    res.status(201).json({ schemeId: doc.schemeId, events: outcome.events.map((e) => e.type), pendingChanges: outcome.state.pendingChanges.length });
  });

  router.post('/schemes/:schemeId/designations', async (req, res) => {
    const doc = await writable(req);
    const body = parseInput(DesignationBody, req.body);
    await refusing(() => assignDesignation(ctx, doc.schemeId, body, actorOf(req)));
    res.status(201).json({ schemeId: doc.schemeId, unitCode: body.unitCode, designation: body.designation, validFrom: body.validFrom, validTo: body.validTo });
  });

  router.post('/schemes/:schemeId/name-mappings', async (req, res) => {
    const doc = await writable(req);
    const body = parseInput(NameMappingBody, req.body);
    await refusing(() => attachNameMapping(ctx, doc.schemeId, body, actorOf(req)));
    res.status(201).json({ schemeId: doc.schemeId, groups: body.groups.length });
  });

  router.post('/schemes/:schemeId/crosswalk', async (req, res) => {
    const doc = await writable(req);
    const body = parseInput(CrosswalkBody, req.body);
    if ('derive' in body) {
      const d = body.derive;
      const { derivation } = await refusing(() =>
        deriveCrosswalk(
          ctx,
          doc.schemeId,
          {
            matchTable: d.matchTable,
            corrections: d.corrections,
            fromPopulation: new Map(Object.entries(d.fromPopulation)),
            toPopulation: new Map(Object.entries(d.toPopulation)),
            ...(d.tolerance !== undefined ? { tolerance: d.tolerance } : {}),
            ...(d.populationSource ? { populationSource: d.populationSource } : {}),
          },
          actorOf(req),
        ),
      );
      res.status(201).json({ schemeId: doc.schemeId, ...derivation });
      return;
    }
    await refusing(() => defineCrosswalk(ctx, doc.schemeId, body, actorOf(req)));
    res.status(201).json({ schemeId: doc.schemeId, weights: body.weights.length, seriesBreaks: body.seriesBreaks.length });
  });

  router.post('/schemes/:schemeId/versions', async (req, res) => {
    const doc = await writable(req);
    const body = parseInput(PublishBody, req.body);
    const outcome = await refusing(() => publishVersion(ctx, doc.schemeId, body, actorOf(req)));
    res.status(201).location(`${req.baseUrl}/schemes/${doc.schemeId}/versions/${outcome.version}`).json((await register.schemeDocument(doc.schemeId))?.versions.at(-1));
  });

  // ---- Gemeindeverzeichnis (shared reference data: readable by every authenticated role) ----

  const notLoaded = () => new NotFoundProblem('Das Gemeindeverzeichnis ist noch nicht geladen (lagebild areas load-gv100ad DATEI).');

  router.get('/gemeindeverzeichnis', async (_req, res) => {
    const doc = await register.schemeDocument(GEMEINDEVERZEICHNIS_SCHEME_ID);
    if (!doc || doc.currentVersion === 0) throw notLoaded();
    const current = doc.versions.at(-1)!;
    res.json({ gebietsstand: current.validFrom, version: current.version, reason: current.reason, counts: current.unitTypes });
  });

  router.post('/gemeindeverzeichnis', async (req, res) => {
    assertWrite(principalOf(req), null);
    const upload = await readUpload(req, limits);
    const file = upload.files[0];
    if (!file) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Es wurde keine GV100AD-Datei hochgeladen (Feld "file").' });
    const result = await refusing(() => loadGemeindeverzeichnis(ctx, { fileName: file.fileName, bytes: file.bytes, ...(upload.fields.encoding ? { encoding: upload.fields.encoding } : {}) }, actorOf(req)));
    res.status(result.importId ? 201 : 200).json(result);
  });

  router.get('/gemeindeverzeichnis/laender/:key', async (req, res) => {
    const found = await gv.findLand(req.params.key);
    if (!found) throw new NotFoundProblem(`Kein Land mit dem Schlüssel "${req.params.key}" im Gemeindeverzeichnis.`);
    res.json(found);
  });

  router.get('/gemeindeverzeichnis/kreise', async (req, res) => {
    const land = typeof req.query.land === 'string' ? req.query.land : undefined;
    const kreise = await gv.listKreise(land);
    if (kreise.length === 0 && !land) throw notLoaded();
    res.json({ kreise });
  });

  router.get('/gemeindeverzeichnis/kreise/:ags', async (req, res) => {
    const found = await gv.findKreis(req.params.ags);
    if (!found) throw new NotFoundProblem(`Kein Kreis mit dem AGS "${req.params.ags}" im Gemeindeverzeichnis (erwartet 5 Ziffern, z. B. 01054).`);
    res.json(found);
  });

  router.get('/gemeindeverzeichnis/gemeindeverbaende/:key', async (req, res) => {
    const found = await gv.findGemeindeverband(req.params.key);
    if (!found) throw new NotFoundProblem(`Kein Gemeindeverband mit dem Schlüssel "${req.params.key}" (erwartet 9 Ziffern: Kreis und Verband).`);
    res.json(found);
  });

  router.get('/gemeindeverzeichnis/gemeinden', async (req, res) => {
    const name = typeof req.query.name === 'string' ? req.query.name : '';
    if (name.trim().length < 2) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Parameter name: mindestens 2 Zeichen für die Suche nach Gemeinden.' });
    res.json({ gemeinden: await gv.searchGemeinden(name) });
  });

  router.get('/gemeindeverzeichnis/gemeinden/:ags', async (req, res) => {
    const found = await gv.findGemeinde(req.params.ags);
    if (!found) throw new NotFoundProblem(`Keine Gemeinde mit dem AGS "${req.params.ags}" im Gemeindeverzeichnis (erwartet 8 Ziffern, z. B. 01001000).`);
    res.json(found);
  });

  return router;
}
