/**
 * Talking to a running `lagebild start` over HTTP, as users and operators do: tokens from the
 * data directory's key file (what `lagebild token create` signs with), deliveries as multipart
 * uploads (README "Liefern über HTTP"), delivery status, and read-only SQL on the warehouse with
 * the operator's token (tenant 00000, role admin).
 *
 * The multipart body is built by hand rather than with FormData, so a test controls every byte
 * of it, file names with `../` and broken encodings included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createEmbeddedAuth, silentLogger, type Role } from '@lagebild/platform';
import { sleep } from './lagebild';

export const OPERATOR_TENANT = '00000';

export interface Tokens {
  /** 11000, datenlieferung: delivers Berlin's files and reads their status. */
  berlinDelivery: string;
  /** 11000, admin: profiles, catalogue, everything of the tenant. */
  berlinAdmin: string;
  /** 01001, admin. */
  flensburgAdmin: string;
  /** 00000, admin: raw SQL over all tenants and the warehouse replay. */
  operator: string;
  issue(tenant: string, roles: Role[]): Promise<string>;
}

/** Tokens signed with the data directory's key file (created when missing). Copies of a data directory share its key. */
export async function issueTokens(dataDir: string): Promise<Tokens> {
  const auth = await createEmbeddedAuth({ dataDir, logger: silentLogger() });
  const issue = (tenant: string, roles: Role[]) => auth.issueToken({ subject: `reliability:${roles.join('+')}`, tenant, roles, expiresIn: '12h' });
  return {
    berlinDelivery: await issue('11000', ['datenlieferung']),
    berlinAdmin: await issue('11000', ['admin']),
    flensburgAdmin: await issue('01001', ['admin']),
    operator: await issue(OPERATOR_TENANT, ['admin']),
    issue,
  };
}

export interface MultipartFile {
  field: string;
  fileName: string;
  bytes: Buffer;
  contentType?: string;
}

/** A multipart/form-data body: fields first (so the profile's size limit applies while uploading), then the file. */
export function multipart(fields: Record<string, string>, file?: MultipartFile): { body: Buffer; contentType: string } {
  const boundary = `----lagebild-reliability-${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    const fileName = file.fileName.replace(/"/g, '%22');
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${fileName}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is none. */
  json: unknown;
}

export async function call(url: string, init: RequestInit & { token?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(120_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, json };
}

export interface Submitted {
  status: number;
  deliveryId?: string;
  duplicate?: boolean;
  answer: Answer;
}

/** POST /api/ingestion/deliveries with one file. */
export async function deliver(base: string, token: string, input: { profile: string; file: string | Buffer; fileName?: string; tenant?: string; period?: string }): Promise<Submitted> {
  const bytes = typeof input.file === 'string' ? readFileSync(input.file) : input.file;
  const fileName = input.fileName ?? (typeof input.file === 'string' ? path.basename(input.file) : 'lieferung.csv');
  const fields: Record<string, string> = { profile: input.profile };
  if (input.tenant) fields.tenant = input.tenant;
  if (input.period) fields.period = input.period;
  const { body, contentType } = multipart(fields, { field: 'file', fileName, bytes });
  const answer = await call(`${base}/api/ingestion/deliveries`, { method: 'POST', token, body, headers: { 'content-type': contentType } });
  const json = answer.json as { deliveryId?: string; duplicate?: boolean } | undefined;
  return { status: answer.status, ...(json?.deliveryId ? { deliveryId: json.deliveryId } : {}), ...(json?.duplicate !== undefined ? { duplicate: json.duplicate } : {}), answer };
}

export type DeliveryStatus = 'in_pruefung' | 'abgelehnt' | 'wird_erfasst' | 'angenommen';

export interface DeliveryView {
  deliveryId: string;
  status: DeliveryStatus;
  observationCount?: number;
  supersedesDeliveryId?: string | null;
}

export async function deliveryView(base: string, token: string, id: string): Promise<DeliveryView | undefined> {
  const answer = await call(`${base}/api/ingestion/deliveries/${id}`, { token });
  return answer.status === 200 ? (answer.json as DeliveryView) : undefined;
}

export interface Finding {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  line?: number;
}

export async function deliveryReport(base: string, token: string, id: string): Promise<{ findings: Finding[]; errorCount: number }> {
  const answer = await call(`${base}/api/ingestion/deliveries/${id}/report`, { token });
  if (answer.status !== 200) throw new Error(`Prüfbericht ${id}: HTTP ${answer.status} ${answer.text}`);
  return answer.json as { findings: Finding[]; errorCount: number };
}

const DECIDED: readonly DeliveryStatus[] = ['angenommen', 'abgelehnt'];

/** Waits until every delivery is decided; returns their views. Throws naming the undecided ones after `timeoutMs`. */
export async function waitDecided(base: string, token: string, ids: readonly string[], timeoutMs = 120_000): Promise<DeliveryView[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(ids.map((id) => deliveryView(base, token, id)));
    if (views.every((v) => v && DECIDED.includes(v.status))) return views as DeliveryView[];
    if (Date.now() > until) {
      const open = ids.filter((_, i) => !views[i] || !DECIDED.includes(views[i]!.status)).map((id, i) => `${id} (${views[i]?.status ?? 'unbekannt'})`);
      throw new Error(`Lieferungen nach ${timeoutMs / 1000} s nicht entschieden: ${open.join(', ')}`);
    }
    await sleep(100);
  }
}

/** POST /api/warehouse/query (operator token). */
export async function query<Row = Record<string, unknown>>(base: string, token: string, sql: string): Promise<Row[]> {
  const answer = await call(`${base}/api/warehouse/query`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
  if (answer.status !== 200) throw new Error(`Abfrage fehlgeschlagen (HTTP ${answer.status}): ${answer.text}\n${sql}`);
  return (answer.json as { rows: Row[] }).rows;
}

/**
 * Whether a problem text reads as German: an umlaut or ß, or one of the words every German
 * sentence of the platform is made of. Deliberately loose ("be reasonable"): it catches English
 * framework messages and empty bodies, not style.
 */
export function looksGerman(text: string | undefined): boolean {
  if (!text || text.trim().length < 5) return false;
  return (
    /[äöüÄÖÜß„“]/.test(text) ||
    /\b(der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines|ist|sind|wird|werden|wurde|nicht|kein|keine|als|auf|aus|bei|nach|von|zum|zur|fehlt|ungültig|erwartet|erhalten|gibt|Anfrage|Datei|Dateien|Wert|Zeile|Spalte|oder|und|mit|nur|bitte|erlaubt|Anmeldung|Rolle|Lieferung|unbekannt|fehlerhaft)\b/i.test(text)
  );
}

/** Checks a refusal: problem+json with German title and detail, no stack trace or machine path. Returns what is wrong, or null. */
export function problemDefect(answer: Answer): string | null {
  if (!answer.contentType.includes('application/problem+json')) return `Content-Type ${answer.contentType || '(keiner)'} statt application/problem+json`;
  const body = answer.json as { title?: unknown; detail?: unknown; status?: unknown } | undefined;
  if (!body || typeof body !== 'object') return 'Körper ist kein JSON-Objekt';
  if (typeof body.title !== 'string' || body.title.trim() === '') return 'title fehlt';
  if (typeof body.detail !== 'string' || !looksGerman(body.detail)) return `detail nicht deutsch: ${JSON.stringify(body.detail)}`;
  if (body.status !== answer.status) return `status im Körper (${String(body.status)}) ungleich HTTP ${answer.status}`;
  if (/\n\s+at |node_modules|\/dist\/|\/src\//.test(answer.text)) return 'Antwort enthält einen Stacktrace oder Pfad';
  return null;
}
