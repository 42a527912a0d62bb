import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '../scripts/generate-types';
import { defaultSchemasDir } from './schemas';

describe('the type generator', () => {
  let dir: string;
  const schemasDir = () => path.join(dir, 'schemas');
  const outDir = () => path.join(dir, 'generated');

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lagebild-generate-'));
    cpSync(defaultSchemasDir, schemasDir(), { recursive: true });
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the types of the current version of every schema and the map of event types', () => {
    generate({ schemasDir: schemasDir(), outDir: outDir() });

    const observations = readFileSync(path.join(outDir(), 'ingestion', 'ObservationsRecorded.ts'), 'utf8');
    expect(observations).toContain('from schemas/ingestion/ObservationsRecorded/v2.avsc');
    expect(observations).toMatch(/sourceLine\?: null \| number;/);
    expect(observations).toMatch(/start: string;/); // date as ISO string
    const index = readFileSync(path.join(outDir(), 'index.ts'), 'utf8');
    expect(index).toContain('  ObservationsRecorded: ObservationsRecorded;');
    expect(index).toContain("{ type: 'ObservationsRecorded', context: 'ingestion', schemaName: 'de.lagebild.ingestion.ObservationsRecorded', currentVersion: 2 }");
    expect(index).toContain('export type EventEnvelopeRecord = ');
    expect(index).toContain('export type ReferencePeriod = ');
  });

  it('removes the types of a schema that no longer exists', () => {
    generate({ schemasDir: schemasDir(), outDir: outDir() });
    rmSync(path.join(schemasDir(), 'budget', 'ActualPosted'), { recursive: true });

    generate({ schemasDir: schemasDir(), outDir: outDir() });

    expect(existsSync(path.join(outDir(), 'budget', 'ActualPosted.ts'))).toBe(false);
    expect(readFileSync(path.join(outDir(), 'index.ts'), 'utf8')).not.toContain('ActualPosted');
  });

  it('refuses a shared type that is defined differently in two current schemas', () => {
    const file = path.join(schemasDir(), 'goals', 'GoalCreated', 'v2.avsc');
    const schema = readFileSync(path.join(schemasDir(), 'goals', 'GoalCreated', 'v1.avsc'), 'utf8').replace(
      '"name": "decidedOn",',
      '"name": "decidedAt",',
    );
    writeFileSync(file, schema);

    expect(() => generate({ schemasDir: schemasDir(), outDir: outDir() })).toThrow(
      /de\.lagebild\.common\.Decision ist in .* und .* unterschiedlich definiert/,
    );
  });
});
