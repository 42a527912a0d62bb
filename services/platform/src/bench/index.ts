export { runPlatformBenchmarks } from './run';
export { benchEventStoreAppend, benchEventStoreAppendLargeEvents, type EventStoreBenchOptions, type LargeEventsBenchOptions } from './event-store.bench';
export { benchEventLogPublishConsume, type EventLogBenchOptions } from './event-log.bench';
export { formatTable, type BenchResult } from './measure';
