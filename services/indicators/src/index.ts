export { createService, SERVICE_NAME } from './service';
