export { runPlatformBenchmarks } from './run';
export { benchEventStoreAppend, type EventStoreBenchOptions } from './event-store.bench';
export { benchEventLogPublishConsume, type EventLogBenchOptions } from './event-log.bench';
export { formatTable, type BenchResult } from './measure';
