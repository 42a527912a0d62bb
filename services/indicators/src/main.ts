// Standalone process entry of the indicators service (one deployment per service).
import { runStandalone } from '@lagebild/platform';
import { createService, SERVICE_NAME } from './service';

runStandalone({ name: SERVICE_NAME, createService }).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
