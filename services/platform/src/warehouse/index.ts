export * from './chdb';
export * from './errors';
export * from './rows';
