/**
 * HTTP routes of the register (`/api/ingestion/schemes`, `/api/ingestion/gemeindeverzeichnis`),
 * declared on the service's Api (http/api.ts) with the roles that may call each.
 * Reading: the roles of REGISTER_READ_ROLES, for schemes of their tenant (or of a Kreis listing
 * it as member) and shared reference schemes; the Gemeindeverzeichnis lookups (published
 * reference data of Destatis) for every signed-in principal. Writing: admin and sozialplanung of
 * the owning tenant; shared schemes and the Gemeindeverzeichnis: admin. Every refusal is German
 * problem+json.
 *
 * Uploads (multipart) are read from the request stream in the handler; their form fields are
 * described in the route's text, not as a JSON body.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  type Api,
  canAccessTenant,
  ForbiddenProblem,
  NotFoundProblem,
  parseInput,
  type Principal,
  ProblemError,
  reply,
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
import { createIngestionApi, GEMEINDEVERZEICHNIS_WRITE_ROLES, NAME_MATCH_ROLES, REGISTER_DRAFT_ROLES, REGISTER_READ_ROLES, REGISTER_WRITE_ROLES } from '../http/api';
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

function canRead(principal: Principal, doc: SchemeDocument): boolean {
  return doc.tenant === null || canAccessTenant(principal, doc.tenant);
}

/** The object-level part of writing; the role was checked by the route's declared access (REGISTER_WRITE_ROLES). */
function assertWrite(principal: Principal, tenant: string | null): void {
  if (tenant === null) {
    if (!principal.roles.includes('admin')) throw new ForbiddenProblem('Gemeinsame Referenzgliederungen (z. B. das Gemeindeverzeichnis) darf nur die Rolle admin ändern.');
    return;
  }
  if (!canAccessTenant(principal, tenant)) throw new ForbiddenProblem(`Die Gebietsgliederung gehört dem Mandanten ${tenant}; Ihr Mandant ist ${principal.tenant}.`);
}

function actorOf(principal: Principal, req: Request): Actor {
  return { subject: `user:${principal.subject}`, correlationId: req.requestId };
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

const SchemeParams = z.object({ schemeId: z.string().describe('Id der Gebietsgliederung, z. B. flensburg-stadtteile') });
// The version stays text here: the handler answers an unknown or malformed version with 404 and the versions that exist.
const VersionParams = SchemeParams.extend({ version: z.string().describe('Versionsnummer (ab 1)') });
const UnitsQuery = z.object({ type: z.string().optional().describe('nur Einheiten dieses Typs, z. B. Stadtteil') });
const OnQuery = z.object({ on: z.string().optional().describe('Stichtag JJJJ-MM-TT; ohne: die aktuelle Version') });
const GeometryQuery = z.object({ version: z.string().optional().describe('Versionsnummer; ohne: die aktuelle Version') });
const KeyParams = z.object({ key: z.string() });
const AgsParams = z.object({ ags: z.string() });
const KreiseQuery = z.object({ land: z.string().optional().describe('Schlüssel des Landes (2 Ziffern)') });
const GemeindenQuery = z.object({ name: z.string().optional().describe('Teil des Namens, mindestens 2 Zeichen') });

const TAGS = ['Gebietsgliederung'] as const;
const GV_TAGS = ['Gemeindeverzeichnis'] as const;
const answer = (description: string) => ({ description });

/** A router of the register's routes alone (tests mount it; the service declares them on its one Api). */
export function createAreasRouter(ctx: AreasContext, options: AreasRouterOptions = {}): Router {
  const api = createIngestionApi();
  declareAreaRoutes(api, ctx, options);
  return api.router;
}

/** Declares the register's routes on the service's Api. */
export function declareAreaRoutes(api: Api, ctx: AreasContext, options: AreasRouterOptions = {}): void {
  const register = createAreaRegister(ctx.documents);
  const gv = createGemeindeverzeichnis(ctx.documents);
  const limits = options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS;

  async function readable(principal: Principal, id: string): Promise<SchemeDocument> {
    const doc = await register.schemeDocument(id);
    if (!doc) throw problemOf(new AreaRuleViolation('unknown-scheme', `Die Gebietsgliederung "${id}" gibt es nicht.`));
    if (!canRead(principal, doc)) throw new ForbiddenProblem(`Die Gebietsgliederung "${id}" gehört dem Mandanten ${doc.tenant}; Ihr Mandant ist ${principal.tenant}.`);
    return doc;
  }

  async function writable(principal: Principal, id: string): Promise<SchemeDocument> {
    const doc = await readable(principal, id);
    assertWrite(principal, doc.tenant);
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

  api.route({
    method: 'get',
    path: '/schemes',
    summary: 'Gebietsgliederungen des Mandanten und gemeinsame Referenzgliederungen',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    responses: { 200: answer('Die Gliederungen mit ihren Versionen') },
    handler: async ({ principal }) => {
      const docs = (await register.listSchemes()).filter((d) => canRead(principal, d));
      return { schemes: docs.map(({ imports: _imports, nameGroups: _groups, ...rest }) => rest) };
    },
  });

  api.route({
    method: 'post',
    path: '/schemes',
    summary: 'Gebietsgliederung anlegen (ohne tenant: für den eigenen Mandanten; tenant null: gemeinsame Referenz, nur admin)',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    body: CreateSchemeBody,
    responses: { 201: answer('Angelegt; Location nennt die Gliederung') },
    handler: async ({ principal, body, req }) => {
      const tenant = body.tenant === undefined ? principal.tenant : body.tenant;
      assertWrite(principal, tenant);
      await refusing(() => createScheme(ctx, { schemeId: body.schemeId, name: body.name, tenant, description: body.description ?? null, stripPrefixes: body.stripPrefixes ?? [] }, actorOf(principal, req)));
      return reply(201, await register.schemeDocument(body.schemeId), { Location: `${req.baseUrl}/schemes/${body.schemeId}` });
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId',
    summary: 'Eine Gebietsgliederung mit ihren Versionen, Importen und Namenszuordnungen',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: SchemeParams,
    responses: { 200: answer('Die Gliederung') },
    handler: ({ principal, params }) => readable(principal, params.schemeId),
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/draft',
    summary: 'Noch nicht veröffentlichte Änderungen einer Gebietsgliederung und die Einheiten, wie sie danach gälten',
    tags: TAGS,
    access: REGISTER_DRAFT_ROLES,
    params: SchemeParams,
    responses: { 200: answer('Der Entwurf') },
    handler: async ({ principal, params }) => {
      const doc = await readable(principal, params.schemeId);
      const { state } = await loadScheme(ctx, doc.schemeId);
      const day = state.pendingChanges.map((c) => c.validFrom).sort().pop() ?? currentVersion(state)?.validFrom ?? null;
      const units = day ? unitsValidOn(state, day) : [...state.units.values()];
      return {
        schemeId: doc.schemeId,
        on: day,
        pendingChanges: state.pendingChanges,
        crosswalk: state.pendingCrosswalk,
        units: units.map(({ geometry, ...u }) => ({ ...u, hasGeometry: geometry !== null })),
      };
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/versions/:version',
    summary: 'Eine veröffentlichte Version mit ihrer Umschlüsselung',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: VersionParams,
    responses: { 200: answer('Die Version') },
    handler: async ({ principal, params }) => {
      const doc = await readable(principal, params.schemeId);
      const version = versionOf(doc, params.version);
      return { ...doc.versions.find((v) => v.version === version), schemeId: doc.schemeId, crosswalk: (await register.crosswalk(doc.schemeId, version)) ?? null };
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/versions/:version/units',
    summary: 'Die Einheiten einer Version',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: VersionParams,
    query: UnitsQuery,
    responses: { 200: answer('Die Einheiten') },
    handler: async ({ principal, params, query }) => {
      const doc = await readable(principal, params.schemeId);
      const version = versionOf(doc, params.version);
      const units = (await register.unitDocuments(doc.schemeId, version)).filter((u) => !query.type || u.unitType === query.type);
      return { schemeId: doc.schemeId, version, units };
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/versions/:version/crosswalk',
    summary: 'Die Umschlüsselung von der vorigen Version auf diese',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: VersionParams,
    responses: { 200: answer('Gewichte und Reihenbrüche') },
    handler: async ({ principal, params }) => {
      const doc = await readable(principal, params.schemeId);
      const version = versionOf(doc, params.version);
      const crosswalk = await register.crosswalk(doc.schemeId, version);
      if (!crosswalk) throw new NotFoundProblem(`Version ${version} von "${doc.schemeId}" hat keine Umschlüsselung (erste Version).`);
      return crosswalk;
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/units',
    summary: 'Die Einheiten der Version, die am Stichtag on gilt (ohne: der aktuellen)',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: SchemeParams,
    query: OnQuery,
    responses: { 200: answer('Die Version mit ihren Einheiten') },
    handler: async ({ principal, params, query }) => {
      const doc = await readable(principal, params.schemeId);
      const { on } = query;
      if (on !== undefined && !isIsoDay(on)) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: `Parameter on: "${on}" ist kein Datum (JJJJ-MM-TT).` });
      const view = on ? await register.findSchemeVersionOn(doc.schemeId, on) : await register.findSchemeVersion(doc.schemeId);
      if (!view) throw new NotFoundProblem(on ? `Am ${on} gilt keine Version der Gebietsgliederung "${doc.schemeId}".` : `Die Gebietsgliederung "${doc.schemeId}" hat noch keine veröffentlichte Version.`);
      return view;
    },
  });

  api.route({
    method: 'get',
    path: '/schemes/:schemeId/geometry',
    summary: 'Die Geometrien einer Version als GeoJSON FeatureCollection (application/geo+json)',
    tags: TAGS,
    access: REGISTER_READ_ROLES,
    params: SchemeParams,
    query: GeometryQuery,
    responses: { 200: answer('FeatureCollection, je Einheit ein Feature') },
    handler: async ({ principal, params, query, res }) => {
      const doc = await readable(principal, params.schemeId);
      const version = versionOf(doc, query.version);
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
      return undefined;
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/match',
    summary: 'Gebietsnamen einer Quelle den Einheiten zuordnen (Schreibweisen, Namenszuordnungen, Vorschläge)',
    tags: TAGS,
    access: NAME_MATCH_ROLES,
    params: SchemeParams,
    body: MatchBody,
    responses: { 200: answer('Je Name das Ergebnis der Zuordnung') },
    handler: async ({ principal, params, body }) => {
      const doc = await readable(principal, params.schemeId);
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
      return {
        schemeId: doc.schemeId,
        version: view!.version,
        matched: results.filter((r) => r.status === 'matched').length,
        unmatched: results.filter((r) => r.status === 'unmatched').map((r) => r.name),
        results,
      };
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/imports',
    summary: 'Gebietsdatei hochladen (GeoJSON, CSV, Shapefile in Teilen oder als ZIP) und als Änderungen übernehmen',
    description:
      'multipart/form-data: Datei(en) im Feld file; Felder validFrom (JJJJ-MM-TT), reason, mode (merge|replace), publish (true|false), format, encoding, crs, mapping (JSON) und einzelne Zuordnungen (codeField, nameField, typeField, unitType, parentField, parentNameField, parentType, officialKeyField).',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    responses: { 201: answer('Übernommen'), 200: answer('Die Datei war schon übernommen; nichts geändert'), 413: answer('Datei zu groß'), 415: answer('Kein multipart/form-data oder Dateiformat nicht erkennbar'), 422: answer('Datei nicht lesbar oder Gliederung fehlerhaft') },
    handler: async ({ principal, params, req }) => {
      const doc = await writable(principal, params.schemeId);
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
          actorOf(principal, req),
        ),
      );
      return reply(result.importId ? 201 : 200, result);
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/changes',
    summary: 'Einheit anlegen, umbenennen, teilen, zusammenlegen, aufheben oder ihre Grenze ändern (bis zur Veröffentlichung im Entwurf)',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    body: ChangeBody,
    responses: { 201: answer('Vorgemerkt'), 422: answer('Gliederung wäre fehlerhaft') },
    handler: async ({ principal, params, body, req }) => {
      const doc = await writable(principal, params.schemeId);
      const outcome = await refusing(() => applyUnitChange(ctx, doc.schemeId, body as UnitChangeInput, actorOf(principal, req)));
      return reply(201, { schemeId: doc.schemeId, events: outcome.events.map((e) => e.type), pendingChanges: outcome.state.pendingChanges.length });
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/designations',
    summary: 'Einheit für einen Zeitraum kennzeichnen (z. B. Aktionsraum, Fördergebiet)',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    body: DesignationBody,
    responses: { 201: answer('Gekennzeichnet') },
    handler: async ({ principal, params, body, req }) => {
      const doc = await writable(principal, params.schemeId);
      await refusing(() => assignDesignation(ctx, doc.schemeId, body, actorOf(principal, req)));
      return reply(201, { schemeId: doc.schemeId, unitCode: body.unitCode, designation: body.designation, validFrom: body.validFrom, validTo: body.validTo });
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/name-mappings',
    summary: 'Namen einer Quelle festen Einheiten zuordnen (auch Gruppen mehrerer Einheiten)',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    body: NameMappingBody,
    responses: { 201: answer('Zugeordnet') },
    handler: async ({ principal, params, body, req }) => {
      const doc = await writable(principal, params.schemeId);
      await refusing(() => attachNameMapping(ctx, doc.schemeId, body, actorOf(principal, req)));
      return reply(201, { schemeId: doc.schemeId, groups: body.groups.length });
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/crosswalk',
    summary: 'Umschlüsselung zur nächsten Version festlegen: Gewichte, oder abgeleitet aus Zuordnungstabelle und Bevölkerung',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    body: CrosswalkBody,
    responses: { 201: answer('Festgelegt'), 422: answer('Umschlüsselung fehlerhaft') },
    handler: async ({ principal, params, body, req }) => {
      const doc = await writable(principal, params.schemeId);
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
            actorOf(principal, req),
          ),
        );
        return reply(201, { schemeId: doc.schemeId, ...derivation });
      }
      await refusing(() => defineCrosswalk(ctx, doc.schemeId, body, actorOf(principal, req)));
      return reply(201, { schemeId: doc.schemeId, weights: body.weights.length, seriesBreaks: body.seriesBreaks.length });
    },
  });

  api.route({
    method: 'post',
    path: '/schemes/:schemeId/versions',
    summary: 'Die vorgemerkten Änderungen als neue Version veröffentlichen',
    tags: TAGS,
    access: REGISTER_WRITE_ROLES,
    params: SchemeParams,
    body: PublishBody,
    responses: { 201: answer('Veröffentlicht; Location nennt die Version') },
    handler: async ({ principal, params, body, req }) => {
      const doc = await writable(principal, params.schemeId);
      const outcome = await refusing(() => publishVersion(ctx, doc.schemeId, body, actorOf(principal, req)));
      return reply(201, (await register.schemeDocument(doc.schemeId))?.versions.at(-1), { Location: `${req.baseUrl}/schemes/${doc.schemeId}/versions/${outcome.version}` });
    },
  });

  // ---- Gemeindeverzeichnis (published reference data of Destatis: readable by every signed-in principal) ----

  const notLoaded = () => new NotFoundProblem('Das Gemeindeverzeichnis ist noch nicht geladen (lagebild areas load-gv100ad DATEI).');

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis',
    summary: 'Gebietsstand des geladenen Gemeindeverzeichnisses und die Zahl der Einheiten je Ebene',
    tags: GV_TAGS,
    access: 'authenticated',
    responses: { 200: answer('Gebietsstand, Version, Anzahl je Ebene') },
    handler: async () => {
      const doc = await register.schemeDocument(GEMEINDEVERZEICHNIS_SCHEME_ID);
      if (!doc || doc.currentVersion === 0) throw notLoaded();
      const current = doc.versions.at(-1)!;
      return { gebietsstand: current.validFrom, version: current.version, reason: current.reason, counts: current.unitTypes };
    },
  });

  api.route({
    method: 'post',
    path: '/gemeindeverzeichnis',
    summary: 'Gemeindeverzeichnis (GV100AD von Destatis) laden',
    description: 'multipart/form-data: die GV100AD-Datei im Feld file, optional encoding.',
    tags: GV_TAGS,
    access: GEMEINDEVERZEICHNIS_WRITE_ROLES,
    responses: { 201: answer('Geladen'), 200: answer('Dieser Gebietsstand war schon geladen; nichts geändert'), 413: answer('Datei zu groß'), 415: answer('Kein multipart/form-data') },
    handler: async ({ principal, req }) => {
      assertWrite(principal, null);
      const upload = await readUpload(req, limits);
      const file = upload.files[0];
      if (!file) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Es wurde keine GV100AD-Datei hochgeladen (Feld "file").' });
      const result = await refusing(() => loadGemeindeverzeichnis(ctx, { fileName: file.fileName, bytes: file.bytes, ...(upload.fields.encoding ? { encoding: upload.fields.encoding } : {}) }, actorOf(principal, req)));
      return reply(result.importId ? 201 : 200, result);
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/laender/:key',
    summary: 'Ein Land mit seinen Regierungsbezirken und Kreisen',
    tags: GV_TAGS,
    access: 'authenticated',
    params: KeyParams,
    responses: { 200: answer('Das Land') },
    handler: async ({ params }) => {
      const found = await gv.findLand(params.key);
      if (!found) throw new NotFoundProblem(`Kein Land mit dem Schlüssel "${params.key}" im Gemeindeverzeichnis.`);
      return found;
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/kreise',
    summary: 'Die Kreise (eines Landes)',
    tags: GV_TAGS,
    access: 'authenticated',
    query: KreiseQuery,
    responses: { 200: answer('Die Kreise') },
    handler: async ({ query }) => {
      const kreise = await gv.listKreise(query.land);
      if (kreise.length === 0 && !query.land) throw notLoaded();
      return { kreise };
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/kreise/:ags',
    summary: 'Ein Kreis mit seinen Gemeinden',
    tags: GV_TAGS,
    access: 'authenticated',
    params: AgsParams,
    responses: { 200: answer('Der Kreis und seine Gemeinden') },
    handler: async ({ params }) => {
      const found = await gv.findKreis(params.ags);
      if (!found) throw new NotFoundProblem(`Kein Kreis mit dem AGS "${params.ags}" im Gemeindeverzeichnis (erwartet 5 Ziffern, z. B. 01054).`);
      return found;
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/gemeindeverbaende/:key',
    summary: 'Ein Gemeindeverband (Amt, Verbandsgemeinde) mit seinen Gemeinden',
    tags: GV_TAGS,
    access: 'authenticated',
    params: KeyParams,
    responses: { 200: answer('Der Gemeindeverband') },
    handler: async ({ params }) => {
      const found = await gv.findGemeindeverband(params.key);
      if (!found) throw new NotFoundProblem(`Kein Gemeindeverband mit dem Schlüssel "${params.key}" (erwartet 9 Ziffern: Kreis und Verband).`);
      return found;
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/gemeinden',
    summary: 'Gemeinden nach Namen suchen',
    tags: GV_TAGS,
    access: 'authenticated',
    query: GemeindenQuery,
    responses: { 200: answer('Die gefundenen Gemeinden') },
    handler: async ({ query }) => {
      const name = query.name ?? '';
      if (name.trim().length < 2) throw new ProblemError({ status: 400, type: 'validation', title: 'Ungültige Anfrage', detail: 'Parameter name: mindestens 2 Zeichen für die Suche nach Gemeinden.' });
      return { gemeinden: await gv.searchGemeinden(name) };
    },
  });

  api.route({
    method: 'get',
    path: '/gemeindeverzeichnis/gemeinden/:ags',
    summary: 'Eine Gemeinde mit Fläche, Einwohnern und Zugehörigkeit',
    tags: GV_TAGS,
    access: 'authenticated',
    params: AgsParams,
    responses: { 200: answer('Die Gemeinde') },
    handler: async ({ params }) => {
      const found = await gv.findGemeinde(params.ags);
      if (!found) throw new NotFoundProblem(`Keine Gemeinde mit dem AGS "${params.ags}" im Gemeindeverzeichnis (erwartet 8 Ziffern, z. B. 01001000).`);
      return found;
    },
  });
}
