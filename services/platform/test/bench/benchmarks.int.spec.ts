import { benchEventLogPublishConsume } from '../../src/bench/event-log.bench';
import { benchEventStoreAppend, benchEventStoreAppendLargeEvents } from '../../src/bench/event-store.bench';
import { formatTable } from '../../src/bench/measure';

// The benchmarks are run by `npm run bench`; this only keeps them working, at a tiny scale.
describe('platform benchmarks (smoke run)', () => {
  it('measure the embedded adapters and their baselines and print a table', async () => {
    const results = [
      await benchEventStoreAppend({ events: 3000, batchSize: 500, rounds: 1 }),
      await benchEventStoreAppendLargeEvents({ observations: 6000, perEvent: 1000, eventsPerAppend: 3, rounds: 1 }),
      await benchEventLogPublishConsume({ records: 3000, batchSize: 500, rounds: 1 }),
    ];
    for (const result of results) {
      expect(result.value).toBeGreaterThan(0);
      expect(result.baseline).toBeGreaterThan(0);
      expect(result.ratio).toBeCloseTo(result.value / result.baseline);
    }
    const table = formatTable(results);
    expect(table).toContain('EventStore: Anhängen (Stapel)');
    expect(table).toContain('EventStore: Anhängen großer Ereignisse');
    expect(table).toContain('EventLog: Veröffentlichen + Konsumieren');
  });
});
