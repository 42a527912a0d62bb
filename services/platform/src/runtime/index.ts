export * from './auth';
export * from './config';
export * from './host';
export * from './http';
export * from './logger';
export * from './problem';
export * from './request-context';
export { editDistance, suggestNames } from './suggest';
export * from './telemetry';
