/**
 * Runs a chDB baseline statement in its own process (chdb-run.mjs) and returns its timings.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chdb-run.mjs');
let counter = 0;

/** { rounds, setup?, statement } -> { ms: number[], row } */
export async function runChdb(work, spec) {
  counter += 1;
  const file = path.join(work, `chdb-spec-${counter}.json`);
  await writeFile(file, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.stderr.on('data', (d) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`chDB-Basislinie fehlgeschlagen (Code ${code}): ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}
