/** The demo data set of `lagebild start` (see load.ts). */
export {
  DEMO_COLLECTION,
  DEMO_DIR,
  DEMO_MARKER_KEY,
  DEMO_VERSION,
  DemoLoadError,
  isDemoLoaded,
  loadDemo,
  SCENARIOS_DIR,
  type DemoContext,
  type DemoOptions,
  type DemoStep,
  type DemoStepResult,
  type DemoSummary,
} from './load';
export { berlinPlanungsraeume2021, flensburgStadtteile, gemeindeverzeichnis, type RegisterOutcome } from './register';
export { pending, pipelineState, waitUntilSettled, type PipelineConsumers, type PipelineState, type SettleOptions } from './settle';
