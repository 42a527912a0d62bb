import { BatcherClosedError, PublishBatcher, validateBatchLimits, type BatchLimits, type Scheduler, type TopicBatch } from './batcher';

/** A timer the test fires by hand, so nothing depends on wall-clock time. */
function manualTimer(): { schedule: Scheduler; fire(): void; scheduled(): number[] } {
  let timers: Array<{ run: () => void; ms: number }> = [];
  return {
    schedule(run, ms) {
      const timer = { run, ms };
      timers.push(timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    fire() {
      const due = timers;
      timers = [];
      for (const timer of due) timer.run();
    },
    scheduled: () => timers.map((t) => t.ms),
  };
}

/** A send whose requests the test acknowledges or fails one by one. */
function controlledSend(): {
  send: (batch: ReadonlyArray<TopicBatch<string>>) => Promise<void>;
  requests: Array<ReadonlyArray<TopicBatch<string>>>;
  acknowledge(): Promise<void>;
  fail(error: Error): Promise<void>;
} {
  const requests: Array<ReadonlyArray<TopicBatch<string>>> = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  return {
    requests,
    send(batch) {
      requests.push(batch);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
    async acknowledge() {
      pending.shift()!.resolve();
      await settle();
    },
    async fail(error) {
      pending.shift()!.reject(error);
      await settle();
    },
  };
}

/** Lets queued promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

function tracked(promise: Promise<void>): { state: () => 'pending' | 'resolved' | 'rejected'; error: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: unknown;
  promise.then(
    () => (state = 'resolved'),
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, error: () => error };
}

function batcher(limits: Partial<BatchLimits>, timer = manualTimer(), sender = controlledSend()) {
  const b = new PublishBatcher<string>({
    limits: { maxRecords: 100, maxBytes: 1_000_000, lingerMs: 5, ...limits },
    send: sender.send,
    sizeOf: (message) => message.length,
    schedule: timer.schedule,
  });
  return { b, timer, sender };
}

describe('PublishBatcher', () => {
  it('holds records until the linger time, then sends concurrent publishes in one request, grouped by topic in order', async () => {
    const { b, timer, sender } = batcher({ lingerMs: 7 });
    const first = tracked(b.add('lagebild.goals', ['g1', 'g2']));
    const second = tracked(b.add('lagebild.budget', ['b1']));
    const third = tracked(b.add('lagebild.goals', ['g3']));
    await settle();
    expect(sender.requests).toHaveLength(0);
    expect(timer.scheduled()).toEqual([7]);

    timer.fire();
    await settle();
    expect(sender.requests).toEqual([
      [
        { topic: 'lagebild.goals', messages: ['g1', 'g2', 'g3'] },
        { topic: 'lagebild.budget', messages: ['b1'] },
      ],
    ]);
    expect([first.state(), second.state(), third.state()]).toEqual(['pending', 'pending', 'pending']);

    await sender.acknowledge();
    expect([first.state(), second.state(), third.state()]).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('sends at once when the record limit is reached, without waiting for the linger time', async () => {
    const { b, timer, sender } = batcher({ maxRecords: 3 });
    const publish = tracked(b.add('t', ['a', 'b', 'c']));
    await settle();
    expect(sender.requests).toEqual([[{ topic: 't', messages: ['a', 'b', 'c'] }]]);
    expect(timer.scheduled()).toEqual([]);
    await sender.acknowledge();
    expect(publish.state()).toBe('resolved');
  });

  it('sends at once when the byte limit is reached and keeps each request within it', async () => {
    const { b, sender } = batcher({ maxBytes: 10 });
    void b.add('t', ['aaaa', 'bbbb', 'cccc']);
    await settle();
    expect(sender.requests).toEqual([[{ topic: 't', messages: ['aaaa', 'bbbb'] }]]);
    await sender.acknowledge();
    expect(sender.requests[1]).toEqual([{ topic: 't', messages: ['cccc'] }]);
  });

  it('sends a record larger than the byte limit on its own instead of refusing it', async () => {
    const { b, sender } = batcher({ maxBytes: 4 });
    const publish = tracked(b.add('t', ['x'.repeat(50), 'y']));
    await settle();
    expect(sender.requests).toEqual([[{ topic: 't', messages: ['x'.repeat(50)] }]]);
    await sender.acknowledge();
    expect(sender.requests[1]).toEqual([{ topic: 't', messages: ['y'] }]);
    await sender.acknowledge();
    expect(publish.state()).toBe('resolved');
  });

  it('splits a publish above the record limit, one request at a time, and resolves it after the last one', async () => {
    const { b, sender } = batcher({ maxRecords: 2 });
    const publish = tracked(b.add('t', ['1', '2', '3', '4', '5']));
    await settle();
    expect(sender.requests).toHaveLength(1);

    await sender.acknowledge();
    expect(sender.requests).toHaveLength(2);
    expect(publish.state()).toBe('pending');
    await sender.acknowledge();
    await sender.acknowledge();
    expect(sender.requests.map((r) => r[0]!.messages)).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(publish.state()).toBe('resolved');
  });

  it('sends records that arrive during a request right after it, in arrival order', async () => {
    const { b, timer, sender } = batcher({});
    void b.add('t', ['a']);
    timer.fire();
    await settle();
    const late = tracked(b.add('t', ['b', 'c']));
    await settle();
    expect(sender.requests).toHaveLength(1);

    await sender.acknowledge();
    expect(sender.requests[1]).toEqual([{ topic: 't', messages: ['b', 'c'] }]);
    expect(timer.scheduled()).toEqual([]);
    await sender.acknowledge();
    expect(late.state()).toBe('resolved');
  });

  it('fails the publishes of a refused request and those queued behind it, then accepts new ones', async () => {
    const { b, timer, sender } = batcher({ maxRecords: 2 });
    const failing = tracked(b.add('t', ['1', '2', '3']));
    const behind = tracked(b.add('t', ['4']));
    await settle();
    await sender.fail(new Error('Broker nicht erreichbar'));
    expect(failing.state()).toBe('rejected');
    expect((failing.error() as Error).message).toBe('Broker nicht erreichbar');
    expect(behind.state()).toBe('rejected');
    // Nothing of the failed publishes is sent after the failure: it would overtake their retry.
    expect(sender.requests).toHaveLength(1);

    const next = tracked(b.add('t', ['5']));
    timer.fire();
    await settle();
    await sender.acknowledge();
    expect(next.state()).toBe('resolved');
    expect(sender.requests[1]).toEqual([{ topic: 't', messages: ['5'] }]);
  });

  it('sends queued records on close without waiting for the linger time, and refuses records afterwards', async () => {
    const { b, sender } = batcher({ lingerMs: 60_000 });
    const queued = tracked(b.add('t', ['a']));
    const closing = tracked(b.close());
    await settle();
    expect(sender.requests).toEqual([[{ topic: 't', messages: ['a'] }]]);
    expect(closing.state()).toBe('pending');
    await sender.acknowledge();
    expect(queued.state()).toBe('resolved');
    expect(closing.state()).toBe('resolved');
    await expect(b.add('t', ['b'])).rejects.toBeInstanceOf(BatcherClosedError);
  });

  it('resolves an empty publish without sending anything', async () => {
    const { b, timer, sender } = batcher({});
    await expect(b.add('t', [])).resolves.toBeUndefined();
    expect(timer.scheduled()).toEqual([]);
    expect(sender.requests).toEqual([]);
  });

  it('refuses limits that could never send a record, with German messages', () => {
    expect(() => validateBatchLimits({ maxRecords: 0, maxBytes: 1, lingerMs: 0 })).toThrow(/batch\.maxRecords muss eine ganze Zahl ab 1 sein/);
    expect(() => validateBatchLimits({ maxRecords: 1, maxBytes: 1.5, lingerMs: 0 })).toThrow(/batch\.maxBytes/);
    expect(() => validateBatchLimits({ maxRecords: 1, maxBytes: 1, lingerMs: -1 })).toThrow(/batch\.lingerMs muss eine Zahl ab 0 sein/);
  });
});
