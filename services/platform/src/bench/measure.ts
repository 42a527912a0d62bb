import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchResult {
  name: string;
  unit: string;
  /** Median throughput of the platform code. */
  value: number;
  /** Median throughput of the raw baseline measured in the same run. */
  baseline: number;
  baselineName: string;
  ratio: number;
  targetRatio: number;
  targetAbsolute: number;
  met: boolean;
  samples: { value: number[]; baseline: number[] };
}

export async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lagebild-bench-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Throughput in operations per second of `count` operations that took `ms`. */
export function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

/**
 * Runs the measured code and its baseline alternately, so that both see the same noise of a
 * shared machine, and reports medians.
 */
export async function compare(options: {
  name: string;
  baselineName: string;
  unit: string;
  rounds: number;
  targetRatio: number;
  targetAbsolute: number;
  measure: () => Promise<number>;
  baseline: () => Promise<number>;
}): Promise<BenchResult> {
  const value: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    value.push(await options.measure());
    baseline.push(await options.baseline());
  }
  const v = median(value);
  const b = median(baseline);
  const ratio = v / b;
  return {
    name: options.name,
    unit: options.unit,
    value: v,
    baseline: b,
    baselineName: options.baselineName,
    ratio,
    targetRatio: options.targetRatio,
    targetAbsolute: options.targetAbsolute,
    met: ratio >= options.targetRatio && v >= options.targetAbsolute,
    samples: { value, baseline },
  };
}

function formatRate(value: number, unit: string): string {
  return `${Math.round(value).toLocaleString('de-DE')} ${unit}`;
}

/** A plain-text table (German labels, as all CLI output). */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['Messung', 'Ergebnis', 'Basislinie', 'Verhältnis', 'Ziel', 'erreicht'];
  const rows = results.map((r) => [
    r.name,
    formatRate(r.value, r.unit),
    `${formatRate(r.baseline, r.unit)} (${r.baselineName})`,
    r.ratio.toFixed(2),
    `≥ ${r.targetRatio} × Basis, ≥ ${formatRate(r.targetAbsolute, r.unit)}`,
    r.met ? 'ja' : 'nein',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
