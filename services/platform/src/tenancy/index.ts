export * from './policy';
export * from './directory';
export * from './consumer';
