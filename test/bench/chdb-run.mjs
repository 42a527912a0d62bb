#!/usr/bin/env node
/**
 * The single-engine baseline of the end-to-end benchmarks: runs SQL statements in a fresh chDB
 * session and prints their timings as one JSON line. A process of its own because libchdb binds
 * one data directory per process (the measured `lagebild` process holds its warehouse), and so
 * that the baseline starts as cold as the pipeline it is compared with.
 *
 * Input: the path of a JSON file { rounds, setup?: string[], statement: string }. Each round
 * runs `statement` (which reads its input files itself, e.g. with file(), so loading is part of
 * the measured work) and records the milliseconds and the first row of the result.
 * Output: {"ms": [..], "row": {..}}.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { Session } = await import('chdb');
const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-bench-chdb-'));
const session = new Session(dir);
try {
  for (const sql of spec.setup ?? []) await session.queryAsync(sql);
  const ms = [];
  let row = null;
  for (let round = 0; round < spec.rounds; round += 1) {
    const started = performance.now();
    const result = await session.queryAsync(spec.statement, { format: 'JSONEachRow' });
    ms.push(performance.now() - started);
    row = JSON.parse(result.text().split('\n')[0] || 'null');
  }
  process.stdout.write(`${JSON.stringify({ ms, row })}\n`);
} finally {
  session.close();
  await rm(dir, { recursive: true, force: true });
}
