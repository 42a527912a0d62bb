export { createService, SERVICE_NAME } from './service';
export * from './areas';
export * from './deliveries';
export * from './profiles';
export * from './datasets';
export * from './tenancy';

