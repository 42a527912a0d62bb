/**
 * Errors of the contracts package. Each carries a stable `code` for programs and a German
 * message for people. None of them is retriable: the same bytes or the same event fail the same
 * way again. An unknown fingerprint is the one case a redeployment can cure (the message was
 * written with newer schemas than this process ships), which is why its message says so.
 */

export type ContractsErrorCode =
  | 'INVALID_MAGIC'
  | 'TRUNCATED_MESSAGE'
  | 'UNKNOWN_SCHEMA'
  | 'UNKNOWN_EVENT_TYPE'
  | 'EVENT_TYPE_MISMATCH'
  | 'CORRUPT_MESSAGE'
  | 'INVALID_EVENT'
  | 'INVALID_SCHEMA_REPOSITORY';

export abstract class ContractsError extends Error {
  abstract readonly code: ContractsErrorCode;
  /** Retrying with the same input cannot help. */
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bytes do not start with the Avro single-object marker C3 01. */
export class InvalidMagicError extends ContractsError {
  readonly code = 'INVALID_MAGIC';

  constructor(readonly found: string) {
    super(`Keine Avro-Single-Object-Nachricht: erwartet werden die Magic Bytes C3 01, gefunden ${found || '(nichts)'}.`);
  }
}

/** The bytes end before the header or the body is complete. */
export class TruncatedMessageError extends ContractsError {
  readonly code = 'TRUNCATED_MESSAGE';

  constructor(detail: string) {
    super(`Nachricht ist abgeschnitten: ${detail}`);
  }
}

/** No shipped schema version has the fingerprint of the message. */
export class UnknownSchemaError extends ContractsError {
  readonly code = 'UNKNOWN_SCHEMA';

  constructor(
    /** Fingerprint as 16 hex digits (the CRC-64-AVRO value, most significant digit first). */
    readonly fingerprint: string,
    what: string,
  ) {
    super(
      `Unbekanntes Schema (Fingerprint ${fingerprint}): ${what} wurde mit einer Schemaversion geschrieben, ` +
        'die diese Version von @lagebild/contracts nicht kennt. Stammt die Nachricht von einem neueren Dienst, ' +
        'hilft ein Update der Contracts; sonst ist sie nicht von Lagebild.',
    );
  }
}

/** The event type has no schema in contracts/schemas. */
export class UnknownEventTypeError extends ContractsError {
  readonly code = 'UNKNOWN_EVENT_TYPE';

  constructor(readonly eventType: string) {
    super(`Unbekannter Ereignistyp "${eventType}": dafür gibt es kein Schema in @lagebild/contracts.`);
  }
}

/** The envelope names one event type, the payload was encoded with the schema of another. */
export class EventTypeMismatchError extends ContractsError {
  readonly code = 'EVENT_TYPE_MISMATCH';

  constructor(
    readonly envelopeType: string,
    readonly payloadSchema: string,
  ) {
    super(`Umschlag nennt den Ereignistyp "${envelopeType}", die Nutzlast ist aber mit dem Schema ${payloadSchema} kodiert.`);
  }
}

/** Header and fingerprint are fine, but the body cannot be read with that schema. */
export class CorruptMessageError extends ContractsError {
  readonly code = 'CORRUPT_MESSAGE';

  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super(`Nachricht ist beschädigt: ${what} lässt sich nicht lesen (${detail}).`, options);
  }
}

export interface EventIssue {
  /** Dotted path into the event body, e.g. `observations.3.period.start`; empty for the root. */
  path: string;
  message: string;
}

/** The event to encode does not fit its schema. */
export class InvalidEventError extends ContractsError {
  readonly code = 'INVALID_EVENT';

  constructor(
    what: string,
    readonly issues: readonly EventIssue[],
    options?: { cause?: unknown },
  ) {
    const listed = issues.length === 0 ? 'ungültiger Wert' : issues.map((i) => `${i.path || '(Wurzel)'}: ${i.message}`).join('; ');
    super(`${what} passt nicht zum Schema: ${listed}`, options);
  }
}

export interface SchemaFileProblem {
  /** Path relative to the schemas directory, e.g. `goals/GoalCreated/v2.avsc`. */
  file: string;
  message: string;
}

/** The schemas directory is not laid out as the codec needs it. */
export class SchemaRepositoryError extends ContractsError {
  readonly code = 'INVALID_SCHEMA_REPOSITORY';

  constructor(readonly problems: readonly SchemaFileProblem[]) {
    super(`Die Schemas sind fehlerhaft abgelegt:\n${problems.map((p) => `  ${p.file}: ${p.message}`).join('\n')}`);
  }
}
