export * from './chdb';
export * from './clickhouse';
export * from './errors';
export * from './rows';
