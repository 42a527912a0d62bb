/**
 * Errors that carry meaning (STYLE.md 6): every refusal a user can see is a `ProblemError` with an
 * HTTP status and a German `detail` the user can act on, rendered as RFC 9457 problem details
 * (`application/problem+json`). Problem types are URNs (`urn:lagebild:problem:<slug>`): stable
 * identifiers that do not pretend to be documentation pages.
 */
import { z } from 'zod';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One entry of the `errors` extension member of a validation problem. */
export interface ProblemFieldError {
  /** JSON Pointer into the request body, as a URI fragment (`#/targets/0/value`). */
  pointer?: string;
  /** Name of the query or path parameter. */
  parameter?: string;
  detail: string;
}

/** The body of a problem response (RFC 9457 members plus our extensions). */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

export interface ProblemInit {
  status: number;
  /** Short slug or full URI; a slug becomes `urn:lagebild:problem:<slug>`. */
  type: string;
  /** Short German summary, the same for every occurrence of the type. */
  title: string;
  /** German explanation of this occurrence, written for the user. */
  detail: string;
  /** Further members of the problem document (`errors`, `currentVersion`, ...). */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to the problem (`WWW-Authenticate`, `Allow`, `Retry-After`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export function problemType(type: string): string {
  return type.includes(':') ? type : `urn:lagebild:problem:${type}`;
}

/**
 * Base class of every error meant for the user. Domain errors subclass it (or use the helpers
 * below), so a route only throws and the error handler renders.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(init: ProblemInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.type = problemType(init.type);
    this.title = init.title;
    this.detail = init.detail;
    this.extensions = init.extensions ?? {};
    this.headers = init.headers ?? {};
  }

  toDocument(context: { instance?: string; requestId?: string } = {}): ProblemDocument {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(context.instance === undefined ? {} : { instance: context.instance }),
      ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    };
  }
}

export class ValidationProblem extends ProblemError {
  readonly errors: readonly ProblemFieldError[];

  constructor(errors: readonly ProblemFieldError[], detail?: string) {
    super({
      status: 400,
      type: 'validation',
      title: 'Ungültige Anfrage',
      detail:
        detail ??
        (errors.length === 1
          ? `Die Anfrage ist ungültig: ${describeFieldError(errors[0]!)}`
          : `Die Anfrage enthält ${errors.length} ungültige Angaben.`),
      extensions: { errors },
    });
    this.errors = errors;
  }
}

function describeFieldError(error: ProblemFieldError): string {
  const where = error.pointer ? error.pointer.replace(/^#/, '') || '/' : error.parameter;
  return where ? `${where}: ${error.detail}` : error.detail;
}

export class NotFoundProblem extends ProblemError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super({ status: 404, type: 'not-found', title: 'Nicht gefunden', detail, extensions });
  }
}

/** A business rule refuses the command (version conflict, wrong state). */
export class ConflictProblem extends ProblemError {
  constructor(detail: string, extensions?: Record<string, unknown>) {
    super({ status: 409, type: 'conflict', title: 'Konflikt', detail, extensions });
  }
}

export class ForbiddenProblem extends ProblemError {
  constructor(detail: string) {
    super({ status: 403, type: 'forbidden', title: 'Keine Berechtigung', detail });
  }
}

/** A port the request needs is not available; a retry later can help. */
export class ServiceUnavailableProblem extends ProblemError {
  constructor(detail: string, cause?: unknown) {
    super({ status: 503, type: 'unavailable', title: 'Dienst nicht verfügbar', detail, headers: { 'Retry-After': '5' }, cause });
  }
}

/** RFC 6901 reference token escaping, then as a URI fragment. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return `#${path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'Text',
  number: 'Zahl',
  int: 'ganze Zahl',
  bigint: 'ganze Zahl',
  boolean: 'Wahrheitswert (true/false)',
  array: 'Liste',
  object: 'Objekt',
  date: 'Datum',
  null: 'null',
  undefined: 'nichts',
  nan: 'keine Zahl (NaN)',
};

function typeOfInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'nan';
  return typeof input;
}

function sizeLimit(origin: string | undefined, bound: number | bigint | Date, inclusive: boolean | undefined, small: boolean): string {
  const amount = String(bound);
  if (origin === 'string') return small ? `mindestens ${amount} Zeichen erwartet` : `höchstens ${amount} Zeichen erlaubt`;
  if (origin === 'array' || origin === 'set') return small ? `mindestens ${amount} Einträge erwartet` : `höchstens ${amount} Einträge erlaubt`;
  if (small) return inclusive ? `muss mindestens ${amount} sein` : `muss größer als ${amount} sein`;
  return inclusive ? `darf höchstens ${amount} sein` : `muss kleiner als ${amount} sein`;
}

/**
 * German messages for zod issues (used as zod's locale, so schema-level custom messages still
 * win). Short phrases, since the field is named beside them (pointer / parameter).
 */
export function germanIssueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'Pflichtangabe fehlt';
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      const received = TYPE_NAMES[typeOfInput(issue.input)] ?? typeOfInput(issue.input);
      return `${expected} erwartet, ${received} erhalten`;
    }
    case 'too_small':
      return sizeLimit(issue.origin, issue.minimum, issue.inclusive, true);
    case 'too_big':
      return sizeLimit(issue.origin, issue.maximum, issue.inclusive, false);
    case 'invalid_format': {
      const formats: Record<string, string> = {
        uuid: 'eine UUID',
        email: 'eine E-Mail-Adresse',
        url: 'eine URL',
        date: 'ein Datum (JJJJ-MM-TT)',
        datetime: 'einen Zeitpunkt nach ISO 8601',
        regex: 'einen Wert im vorgesehenen Format',
      };
      return `erwartet ${formats[issue.format] ?? `das Format ${issue.format}`}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `erwartet ${JSON.stringify(issue.values[0])}`
        : `erwartet einen der Werte ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `muss ein Vielfaches von ${String(issue.divisor)} sein`;
    case 'unrecognized_keys':
      return `unbekannte ${issue.keys.length === 1 ? 'Angabe' : 'Angaben'}: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'passt zu keiner der erlaubten Formen';
    case 'invalid_key':
      return 'ungültiger Schlüssel';
    case 'invalid_element':
      return 'ungültiger Eintrag';
    case 'custom':
      return 'ungültiger Wert';
    default:
      return 'ungültiger Wert';
  }
}

/** Makes German the default language of every zod message in this process. Idempotent. */
export function useGermanValidationMessages(): void {
  z.config({ localeError: germanIssueMessage });
}

export type InputLocation = 'body' | 'query' | 'params';

/** Turns a zod error into a validation problem with one entry per issue. */
export function validationProblemFrom(error: z.core.$ZodError, location: InputLocation = 'body'): ValidationProblem {
  const errors: ProblemFieldError[] = error.issues.map((issue) => {
    if (location === 'body') return { pointer: jsonPointer(issue.path), detail: issue.message };
    const parameter = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
    return parameter === undefined ? { detail: issue.message } : { parameter, detail: issue.message };
  });
  return new ValidationProblem(errors);
}

/**
 * Parses request input with German messages; throws a `ValidationProblem` (400) naming each
 * offending field. Routes use it as `const body = parseInput(CreateGoal, req.body)`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, location: InputLocation = 'body'): z.output<S> {
  const result = schema.safeParse(input, { error: germanIssueMessage });
  if (result.success) return result.data;
  throw validationProblemFrom(result.error, location);
}
