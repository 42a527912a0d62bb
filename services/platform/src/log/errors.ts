/** A publish or subscribe request that can never succeed as given. */
export class InvalidLogRequestError extends Error {
  readonly code = 'INVALID_LOG_REQUEST';
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogRequestError';
  }
}
