import type { ExpectedVersion } from '../ports/event-store';

/**
 * The stream's version did not match the expected version of an append: someone else appended
 * in between. Retriable: reload the stream, decide again and append with the new version.
 */
export class WrongExpectedVersionError extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  readonly retriable = true;

  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    /** The stream's current version; 0 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(
      `Der Stream "${stream}" wurde inzwischen geändert: erwartet war ${describeExpected(expected)}, ` +
        `vorhanden ist ${actual === 0 ? 'kein Stream' : `Version ${actual}`}. Bitte neu laden und erneut versuchen.`,
    );
    this.name = 'WrongExpectedVersionError';
  }
}

/** A request that can never succeed as given (malformed stream name, event or option). */
export class InvalidEventStoreRequestError extends Error {
  readonly code = 'INVALID_EVENT_STORE_REQUEST';
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidEventStoreRequestError';
  }
}

/** Also recognises the error when it comes from another copy of this module (e.g. a bundled adapter). */
export function isWrongExpectedVersionError(error: unknown): error is WrongExpectedVersionError {
  return (
    error instanceof WrongExpectedVersionError ||
    (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'WRONG_EXPECTED_VERSION')
  );
}

function describeExpected(expected: ExpectedVersion): string {
  switch (expected) {
    case 'no_stream':
      return 'ein noch nicht vorhandener Stream';
    case 'stream_exists':
      return 'ein vorhandener Stream';
    case 'any':
      return 'eine beliebige Version';
    default:
      return expected === 0 ? 'ein noch nicht vorhandener Stream' : `Version ${expected}`;
  }
}

/** Whether a stream at `current` (0 = absent) satisfies `expected`. */
export function satisfiesExpectedVersion(expected: ExpectedVersion, current: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 0;
    case 'stream_exists':
      return current > 0;
    default:
      return current === expected;
  }
}
