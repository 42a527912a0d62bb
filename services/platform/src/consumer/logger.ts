/**
 * The little the platform's adapters, relay and consumer runner need from a logger. A pino
 * logger fits as it is (`logger.warn({ err }, 'message')`); the service runtime passes its own.
 */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
