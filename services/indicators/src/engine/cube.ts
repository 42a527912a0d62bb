/**
 * The observations of one tenant in one scheme version as the engine reads them: per delivered
 * variable code and reference period, one Float64Array over the hierarchy's units (NaN =
 * missing), plus the deliveries the values came from. Built from the observation store
 * (store/observations.ts) or, in benchmarks, directly.
 */
import type { Hierarchy } from './hierarchy';
import { parsePeriodKey, periodKey, type ReferencePeriod } from './periods';

export interface CubeSlice {
  values: Float64Array;
  /** Delivery ids whose observations are in `values`. */
  deliveries: ReadonlySet<string>;
}

export interface ObservationCube {
  hierarchy: Hierarchy;
  /** Delivered variable codes. */
  codes(): Iterable<string>;
  /** Period keys (periods.periodKey) a code has values for. */
  periodKeys(code: string): Iterable<string>;
  slice(code: string, periodKey: string): CubeSlice | undefined;
}

/** An in-memory cube, filled cell by cell. */
export class MemoryCube implements ObservationCube {
  private readonly data = new Map<string, Map<string, { values: Float64Array; deliveries: Set<string> }>>();

  constructor(readonly hierarchy: Hierarchy) {}

  /** Sets one value; returns false when the area code is not a unit of the hierarchy. */
  set(code: string, period: ReferencePeriod | string, areaCode: string, value: number | null, deliveryId: string): boolean {
    const unit = this.hierarchy.index.get(areaCode);
    if (unit === undefined) return false;
    const slice = this.ensure(code, typeof period === 'string' ? period : periodKey(period));
    slice.values[unit] = value === null ? Number.NaN : value;
    if (value !== null) slice.deliveries.add(deliveryId);
    return true;
  }

  /** Sets a whole column at once (benchmarks, store loading). */
  setColumn(code: string, key: string, values: Float64Array, deliveries: Iterable<string>): void {
    const slice = this.ensure(code, key);
    slice.values.set(values);
    for (const d of deliveries) slice.deliveries.add(d);
  }

  private ensure(code: string, key: string) {
    let byPeriod = this.data.get(code);
    if (!byPeriod) this.data.set(code, (byPeriod = new Map()));
    let slice = byPeriod.get(key);
    if (!slice) byPeriod.set(key, (slice = { values: new Float64Array(this.hierarchy.codes.length).fill(Number.NaN), deliveries: new Set() }));
    return slice;
  }

  codes(): Iterable<string> {
    return this.data.keys();
  }

  periodKeys(code: string): Iterable<string> {
    return this.data.get(code)?.keys() ?? [];
  }

  slice(code: string, key: string): CubeSlice | undefined {
    return this.data.get(code)?.get(key);
  }
}

export { parsePeriodKey };
