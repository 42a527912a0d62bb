/**
 * The shipped catalogue: the 50 starter indicators of INDICATORS.md (../shared), every formula
 * valid against the vocabulary, seeding as versioned events (unchanged file: nothing new; changed
 * entry: a new version), and a broken file refused as a whole with German messages.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore, type DocumentStore, type EventStore } from '@lagebild/platform';
import type { CatalogueFile } from '../../src/catalogue/model';
import { createCatalogueRegistry, DefinitionError, SHARED_SCOPE, SHIPPED_CATALOGUE_DIR, type CatalogueRegistry } from '../../src/catalogue/registry';

const INDICATORS_MD = path.resolve(__dirname, '../../../../../shared/INDICATORS.md');
let dir: string;
let eventStore: EventStore;
let documents: DocumentStore;
let registry: CatalogueRegistry;
const now = new Date('2026-01-01T00:00:00.000Z');

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-catalogue-'));
  eventStore = createLmdbEventStore({ path: path.join(dir, 'lmdb') });
  documents = createLmdbDocumentStore({ path: path.join(dir, 'lmdb') });
  registry = createCatalogueRegistry({ eventStore, documents });
});

afterEach(async () => {
  await documents.close();
  await eventStore.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the shipped catalogue', () => {
  it('defines every starter indicator of INDICATORS.md under its number and id', async () => {
    const table = (await readFile(INDICATORS_MD, 'utf8')).split('\n').filter((l) => /^\| \d+ \|/.test(l));
    const expected = table.map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return [Number(cells[1]), cells[2]];
    });
    expect(expected).toHaveLength(50);
    await registry.seedShipped(SHIPPED_CATALOGUE_DIR, now);
    const catalogue = await registry.forTenant('01001');
    const numbered = [...catalogue.indicators.values()].filter((e) => e.definition.number !== undefined).map((e) => [e.definition.number, e.id]);
    expect(numbered.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(expected);
  });

  it('records each entry as a versioned event and adds nothing when the file is unchanged', async () => {
    const first = await registry.seedShipped(SHIPPED_CATALOGUE_DIR, now);
    expect(first.changed.length).toBe(first.entries);
    const events = await eventStore.readStream(`catalogue-${SHARED_SCOPE}-indicator-sgb2_quote`);
    expect(events.map((e) => e.type)).toEqual(['IndicatorDefinitionPublished']);
    expect(events[0]!.data).toMatchObject({ indicatorId: 'sgb2_quote', version: 1, scope: null, kind: 'INDICATOR', name: 'SGB II-Quote' });
    const again = await registry.seedShipped(SHIPPED_CATALOGUE_DIR, now);
    expect(again.changed).toEqual([]);
  });

  it('makes a changed shipped definition a new version and keeps the old one readable', async () => {
    await registry.seedShipped(SHIPPED_CATALOGUE_DIR, now);
    const copy = path.join(dir, 'catalogue');
    await cp(SHIPPED_CATALOGUE_DIR, copy, { recursive: true });
    const file = JSON.parse(await readFile(path.join(copy, 'katalog.json'), 'utf8')) as CatalogueFile;
    file.indicators.find((i) => i.id === 'arbeitslosendichte')!.thresholds = { kind: 'relative', reference: 'parent', yellowFromPercent: 5, redFromPercent: 15 };
    await writeFile(path.join(copy, 'katalog.json'), JSON.stringify(file));
    const result = await registry.seedShipped(copy, now);
    expect(result.changed).toEqual([`${SHARED_SCOPE}/indicator/arbeitslosendichte`]);
    expect((await registry.get('INDICATOR', 'arbeitslosendichte', SHARED_SCOPE))!.version).toBe(2);
    expect((await registry.get('INDICATOR', 'arbeitslosendichte', SHARED_SCOPE, 1))!.definition).not.toHaveProperty('thresholds.yellowFromPercent', 5);
  });

  it('refuses a file with a broken formula as a whole, naming file, entry and column in German', async () => {
    const copy = path.join(dir, 'broken');
    await cp(SHIPPED_CATALOGUE_DIR, copy, { recursive: true });
    const file = JSON.parse(await readFile(path.join(copy, 'katalog.json'), 'utf8')) as CatalogueFile;
    file.indicators.find((i) => i.id === 'kinderarmut')!.formula = 'sgb2_unter_15 / (ew_unter_15 - ew_unter_15 + 0 * 1) + kinder';
    await writeFile(path.join(copy, 'katalog.json'), JSON.stringify(file));
    const error = await registry.seedShipped(copy, now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    const text = (error as DefinitionError).problems.map((p) => `${p.pointer} ${p.detail}`).join('\n');
    expect(text).toMatch(/katalog\.json #\/indicators\/\d+ \(kinderarmut\)\/formula Spalte \d+: unbekannte Variable „kinder“/);
    expect(await registry.get('INDICATOR', 'ew', SHARED_SCOPE)).toBeUndefined();
  });

  it('lets a tenant extension (Berlin MSS) override nothing of the shipped entries for other tenants', async () => {
    await registry.seedShipped(SHIPPED_CATALOGUE_DIR, now);
    expect((await registry.forTenant('11000')).indices.has('mss_statusindex')).toBe(true);
    expect((await registry.forTenant('02000')).indices.has('mss_statusindex')).toBe(false);
  });
});
