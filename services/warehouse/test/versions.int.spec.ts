/**
 * Which value is current is decided by the order of the event streams, not by the wall clock.
 * After the server's clock was set back (the reliability suite's clock test sets it back a day),
 * a correction is recorded with an earlier recordedAt than the values it replaces; the serving
 * views must still show the correction, now and "as recorded on" any day after it.
 *
 * The last test checks the view against an independent formulation (a window function over every
 * computation) on many computations per value, recorded and inserted in random order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCodec, exampleIntegrationEvent, type IntegrationEvent } from '@lagebild/contracts';
import { type ChdbWarehouse, createChdbWarehouse } from '@lagebild/platform';
import { project } from '../src/projector';
import { applySchema } from '../src/schema';

const codec = createCodec();
let dir: string;
let warehouse: ChdbWarehouse;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-versions-'));
  warehouse = await createChdbWarehouse({ path: dir });
});

afterAll(async () => {
  await warehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

let databases = 0;
/** A fresh database with the schema, the events projected one by one in the given order. */
async function projected(events: readonly IntegrationEvent[]): Promise<string> {
  databases += 1;
  const database = `versions_${databases}`;
  await applySchema(warehouse, database);
  for (const [offset, event] of events.entries()) {
    await project({ warehouse, codec, database }, [{ value: codec.encode(event), topic: codec.topicOf(event.type), partition: 0, offset }]);
  }
  return database;
}

const STREAM = 'indicator-values-01001-sgb2_quote';

/** A computation of the example indicator: its version in the value stream, when the clock said it was recorded, the value of STGT03. */
function computation(version: number, recordedAt: string, value: number): IntegrationEvent<'IndicatorValuesComputed'> {
  const event = exampleIntegrationEvent('IndicatorValuesComputed');
  event.envelope = { ...event.envelope, id: `00000000-0000-4000-9000-${String(version).padStart(12, '0')}`, stream: STREAM, version, occurredAt: recordedAt, recordedAt };
  event.data = { ...event.data, computationId: `00000000-0000-4000-a000-${String(version).padStart(12, '0')}`, values: event.data.values.filter((v) => v.areaCode === 'STGT03').map((v) => ({ ...v, value })) };
  return event;
}

async function valueOf(from: string): Promise<Array<{ value: number; stream_version: number }>> {
  return warehouse.query(`SELECT value, stream_version FROM ${from} WHERE area_code = 'STGT03'`);
}

describe('indicator values after the clock was set back', () => {
  // Computed on 2 May; the correction a day "earlier" by the clock, which had been set back a day.
  const first = computation(7, '2024-05-02T10:00:00.000Z', 19.2);
  const correction = computation(8, '2024-05-01T10:30:00.000Z', 18.5);

  it('shows the correction, the later computation in the value stream, although its recordedAt is earlier', async () => {
    for (const order of [[first, correction], [correction, first]]) {
      const database = await projected(order);
      expect(await valueOf(`${database}.v_indicator_value`)).toEqual([{ value: 18.5, stream_version: 8 }]);
      expect(await valueOf(`${database}.v_indicator_value_raw`)).toEqual([{ value: 18.5, stream_version: 8 }]);
    }
  });

  it('answers "as recorded on" a day with the latest computation recorded by then, in stream order', async () => {
    const database = await projected([first, correction]);
    const asOf = (instant: string) => valueOf(`${database}.v_indicator_value_asof(asof = '${instant}')`);
    expect(await asOf('2024-05-01 10:00:00')).toEqual([]);
    // Only the correction carries a recordedAt up to here.
    expect(await asOf('2024-05-01 12:00:00')).toEqual([{ value: 18.5, stream_version: 8 }]);
    // Both do: the later in the stream wins, not the later by the clock.
    expect(await asOf('2024-05-03 00:00:00')).toEqual([{ value: 18.5, stream_version: 8 }]);
  });

  it('keeps the as-of dates when the clock ran right: before the correction, the first computation', async () => {
    const database = await projected([computation(1, '2024-05-01T10:00:00.000Z', 19.2), computation(2, '2024-05-02T10:00:00.000Z', 18.5)]);
    expect(await valueOf(`${database}.v_indicator_value_asof(asof = '2024-05-01 12:00:00')`)).toEqual([{ value: 19.2, stream_version: 1 }]);
    expect(await valueOf(`${database}.v_indicator_value_asof(asof = '2024-05-02 12:00:00')`)).toEqual([{ value: 18.5, stream_version: 2 }]);
  });
});

describe('observations after the clock was set back', () => {
  const deliveryId = (no: number) => `6a0d3c1e-2b4f-4a6c-8e0d-00000000000${no}`;
  /** Delivery `no`'s observation of STGT03 and its acceptance, recorded at `recordedAt`. */
  function delivery(no: number, supersedes: number | null, recordedAt: string, value: number): IntegrationEvent[] {
    const id = deliveryId(no);
    const supersedesDeliveryId = supersedes === null ? null : deliveryId(supersedes);
    const envelope = (n: number) => ({ id: `6a0d3c1e-2b4f-4a6c-9e0d-0000000000${no}${n}`, stream: `delivery-${id}`, version: n, occurredAt: recordedAt, recordedAt });
    const recorded = exampleIntegrationEvent('ObservationsRecorded');
    recorded.envelope = { ...recorded.envelope, ...envelope(1) };
    recorded.data = { ...recorded.data, deliveryId: id, supersedesDeliveryId, observations: recorded.data.observations.filter((o) => o.areaCode === 'STGT03').map((o) => ({ ...o, value })) };
    const accepted = exampleIntegrationEvent('DeliveryAccepted');
    accepted.envelope = { ...accepted.envelope, ...envelope(2) };
    accepted.data = { ...accepted.data, deliveryId: id, supersedesDeliveryId };
    return [recorded, accepted];
  }
  const original = delivery(1, null, '2024-05-02T10:00:00.000Z', 12291);
  const corrected = delivery(2, 1, '2024-05-01T10:30:00.000Z', 12301);

  it('replaces a delivery by its correction, now and as recorded on any day after the correction, whatever the clock said', async () => {
    const database = await projected([...original, ...corrected]);
    const observed = (from: string) => warehouse.query<{ value: number }>(`SELECT value FROM ${from} WHERE area_code = 'STGT03' AND variable = 'ew_insgesamt'`);
    expect(await observed(`${database}.v_observation`)).toEqual([{ value: 12301 }]);
    expect(await observed(`${database}.v_observation_asof(asof = '2024-05-01 12:00:00')`)).toEqual([{ value: 12301 }]);
    expect(await observed(`${database}.v_observation_asof(asof = '2024-05-03 00:00:00')`)).toEqual([{ value: 12301 }]);
  });
});

describe('the current-value views against an independent formulation', () => {
  it('give, per value, the row of the highest stream version among the rows recorded up to the day, once however often it was written', async () => {
    const database = await projected([]);
    // 300 values x 1 to 6 computations each, stream versions shuffled against recordedAt (a clock
    // that jumps back and forth), inserted in random order and in several parts.
    await warehouse.command(`INSERT INTO ${database}.fact_indicator_value (tenant, computation_id, stream_version, indicator_id, formula_version, scheme_id, scheme_version, protection, sensitivity, area_code, unit_type, period_kind, period_start, period_end, value, status, event_id, recorded_at, _ver)
SELECT tenant, computation_id, stream_version, 'quote', 1, 'plr', 1, protection, sensitivity, area_code, 'Planungsraum', 'STICHTAG', period_end, period_end, value, 'COMPUTED', computation_id, recorded_at, toUInt64(toUnixTimestamp64Milli(recorded_at))
FROM (
  SELECT if(v % 3 = 0, '11000', '01001') AS tenant, if(v % 2 = 0, 'RAW', 'PROTECTED') AS protection, concat('A', toString(v % 25)) AS area_code,
    toDate32('2020-12-31') + toIntervalYear(intDiv(v, 50)) AS period_end, c AS stream_version,
    toDateTime64('2024-05-01 00:00:00', 3, 'UTC') + toIntervalMinute(cityHash64(v, c) % 2000) AS recorded_at,
    generateUUIDv4(cityHash64(v, c)) AS computation_id, (cityHash64(v, c, 'value') % 10000) / 100 AS value,
    if(cityHash64(v, c, 'sealed') % 5 = 0, 'SEALED', 'INTERNAL') AS sensitivity
  FROM (SELECT number AS v FROM numbers(300)) ARRAY JOIN range(1, 2 + cityHash64(v) % 6) AS c
  ORDER BY cityHash64(v, c, 'order')
) SETTINGS max_insert_block_size = 97, min_insert_block_size_rows = 97, max_block_size = 97`);
    // A replay not merged yet: a third of the rows written a second time, identical (the views read without FINAL).
    await warehouse.command(`INSERT INTO ${database}.fact_indicator_value SELECT * FROM ${database}.fact_indicator_value WHERE cityHash64(computation_id) % 3 = 0`);
    const identity = 'tenant, indicator_id, scheme_id, protection, area_code, period_start, period_end';
    const expected = (where: string) =>
      warehouse.query(`SELECT * EXCEPT (n) FROM (SELECT *, row_number() OVER (PARTITION BY ${identity} ORDER BY stream_version DESC) AS n FROM ${database}.fact_indicator_value WHERE ${where}) WHERE n = 1 ORDER BY ALL`);
    const [counts] = await warehouse.query<{ rows: number; values: number }>(`SELECT count() AS rows, uniqExact(${identity}) AS values FROM ${database}.fact_indicator_value`);
    expect(counts!.rows).toBeGreaterThan(counts!.values);
    const [duplicated] = await warehouse.query<{ n: number }>(`SELECT count() AS n FROM (SELECT computation_id, ${identity} FROM ${database}.fact_indicator_value GROUP BY ALL HAVING count() > 1)`);
    expect(duplicated!.n).toBeGreaterThan(0);
    expect(await warehouse.query(`SELECT * FROM ${database}.v_indicator_value ORDER BY ALL`)).toEqual(await expected('true'));
    // Protected and raw: the current row of each value, the protected one left out when that row's inputs are SEALED
    // (an older computation without SEALED inputs must not show instead).
    const current = await expected('true');
    expect(await warehouse.query(`SELECT * FROM ${database}.v_indicator_value_protected ORDER BY ALL`)).toEqual(current.filter((r) => r.protection === 'PROTECTED' && r.sensitivity !== 'SEALED'));
    expect(await warehouse.query(`SELECT * FROM ${database}.v_indicator_value_raw ORDER BY ALL`)).toEqual(current.filter((r) => r.protection === 'RAW'));
    for (const instant of ['2024-05-01 00:00:00', '2024-05-01 09:00:00', '2024-05-01 20:00:00', '2024-05-02 12:00:00']) {
      expect(await warehouse.query(`SELECT * FROM ${database}.v_indicator_value_asof(asof = '${instant}') ORDER BY ALL`)).toEqual(await expected(`recorded_at <= '${instant}'`));
    }
  });
});
