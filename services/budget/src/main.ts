// Standalone process entry of the budget service (one deployment per service).
import { createCodec, envelopeSchemaCatalog, outboxMapper } from '@lagebild/contracts';
import { runStandalone } from '@lagebild/platform';
import { createService, SERVICE_NAME } from './service';

runStandalone({ name: SERVICE_NAME, createService, schemaCatalog: envelopeSchemaCatalog(), toRecord: outboxMapper(createCodec()) }).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
