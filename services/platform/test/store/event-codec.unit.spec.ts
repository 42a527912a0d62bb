import { Packr } from 'msgpackr';
import { decodeEvent, encodeEvent, stampEvent } from '../../src/store/event-codec';
import type { NewEvent } from '../../src/ports/event-store';
import { FORMAT_1_EVENT, FORMAT_1_EVENT_HEX } from './fixtures/format-1';

const metadata = FORMAT_1_EVENT.metadata;

function observations(count: number): unknown[] {
  const period = { kind: 'STICHTAG', start: '2024-12-31', end: '2024-12-31' };
  return Array.from({ length: count }, (_, i) => ({
    areaCode: `110001${String(i % 100).padStart(2, '0')}`,
    variable: i % 2 === 0 ? 'ew' : 'quote_alo',
    dimensions: {},
    period,
    value: i % 7 === 0 ? null : i / 10,
    status: i % 7 === 0 ? 'MISSING' : 'VALUE',
    sourceLine: i + 2,
  }));
}

describe('stored event codec', () => {
  it('decodes an event as the format-1 store wrote it', () => {
    expect(decodeEvent(1, Buffer.from(FORMAT_1_EVENT_HEX, 'hex'))).toEqual(FORMAT_1_EVENT);
  });

  it('round-trips an event with the version and recordedAt stamped after encoding', () => {
    const event: NewEvent = { id: 'e-1', type: 'GoalCreated', data: { title: 'Straße 🏙', values: [1, 2.5, null], flag: true, empty: {} }, metadata };
    const bytes = encodeEvent('goal-1', event);
    stampEvent(bytes, 7, Date.parse('2025-06-30T12:00:00.000Z'));
    expect(decodeEvent(42, Buffer.from(bytes))).toEqual({ ...event, stream: 'goal-1', version: 7, position: 42, recordedAt: '2025-06-30T12:00:00.000Z' });
  });

  it('keeps each encoded event intact while more events are encoded', () => {
    // Big enough that the encoder moves on to new buffers several times.
    const events: NewEvent[] = Array.from({ length: 30 }, (_, i) => ({ id: `e-${i}`, type: 'ObservationsRecorded', data: { batchNumber: i + 1, observations: observations(2000) }, metadata }));
    const copies: Buffer[] = [];
    const encoded = events.map((event) => {
      const bytes = encodeEvent('delivery-1', event);
      copies.push(Buffer.from(bytes));
      return bytes;
    });
    encoded.forEach((bytes, i) => expect(bytes.equals(copies[i]!)).toBe(true));
    stampEvent(encoded[0]!, 1, 0);
    expect(decodeEvent(1, encoded[0]!).data).toEqual(events[0]!.data);
  });

  it('spells out the keys of many same-shaped objects once, so bulk events take half the bytes of msgpack maps', () => {
    const event: NewEvent = { id: 'e-1', type: 'ObservationsRecorded', data: { observations: observations(5000) }, metadata };
    const bytes = encodeEvent('delivery-1', event);
    stampEvent(bytes, 1, 0);
    const asMaps = new Packr({ useRecords: false }).pack(event.data);
    expect(bytes.length).toBeLessThan(asMaps.length * 0.6);
    expect(decodeEvent(1, Buffer.from(bytes)).data).toEqual(event.data);
  });

  it('reads numbers 64 to 127 as numbers after bulk events were encoded and decoded (msgpack records use those bytes)', () => {
    const bulkEvent = encodeEvent('delivery-1', { id: 'e-1', type: 'ObservationsRecorded', data: { observations: observations(100) }, metadata });
    stampEvent(bulkEvent, 1, 0);
    decodeEvent(1, bulkEvent);
    const small = encodeEvent('goal-1', { id: 'e-2', type: 'TargetValueSet', data: { value: 64, values: [100, 127] }, metadata });
    stampEvent(small, 2, 0);
    expect(decodeEvent(2, small).data).toEqual({ value: 64, values: [100, 127] });
    const format1 = new Packr({ useRecords: false }).pack([1, 'e-3', 'TargetValueSet', 'goal-1', 3, '2025-06-30T12:00:00.000Z', { value: 100 }, metadata]);
    expect(decodeEvent(3, format1).data).toEqual({ value: 100 });
  });

  it('refuses bytes of an unknown format with a German message naming the position', () => {
    expect(() => decodeEvent(9, Buffer.from([7, 0, 0]))).toThrow(/Position 9 hat ein unbekanntes Format/);
  });
});
