export * from './policy';
export * from './directory';
