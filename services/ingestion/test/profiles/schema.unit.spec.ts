import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { germanIssueMessage } from '@lagebild/platform';
import { checkProfileAgainstDataset, DatasetBody, DeliveryProfileBody, ShippedProfile } from '../../src';

const PROFILES = path.resolve(__dirname, '../../profiles');

async function jsonFiles(dir: string): Promise<Array<{ name: string; json: Record<string, unknown> }>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  return Promise.all(names.map(async (name) => ({ name, json: JSON.parse(await readFile(path.join(dir, name), 'utf8')) as Record<string, unknown> })));
}

describe('delivery profile schema', () => {
  it('explains a broken profile in German, field by field', () => {
    const result = DeliveryProfileBody.safeParse(
      {
        name: 'x',
        dataset: 'Berlin Einwohner',
        source: { name: 'x' },
        scheme: { schemeId: 's', version: 1, on: '2021-01-01' },
        format: { type: 'ods', delimiter: ':' },
        area: { column: { header: '' }, by: 'kennung' },
        period: { granularity: 'year', kind: 'STICHTAG', from: 'profile' },
        variables: { layout: 'wide', values: [] },
      },
      { error: germanIssueMessage },
    );
    expect(result.success).toBe(false);
    const messages = (result as z.ZodSafeParseError<unknown>).error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('dataset: Datensatz: nur Kleinbuchstaben'),
        'format.type: Dateiformat erwartet: csv, xlsx, xls oder json',
        expect.stringContaining('format.delimiter: Trennzeichen erwartet'),
        'area.by: Gebietszuordnung erwartet: code oder name',
        'period.value: Bei from: profile ist value Pflicht, z. B. „2024“',
        'variables.values: Mindestens eine Wertspalte erwartet',
        'scheme: Entweder version oder on angeben, nicht beides',
      ]),
    );
  });

  it('accepts every shipped profile and data set, and each profile names only variables of its data set', async () => {
    const datasets = new Map<string, { id: string; variables: Array<{ code: string }> }>();
    for (const { name, json } of await jsonFiles(path.join(PROFILES, 'datasets'))) {
      const { id, ...body } = json;
      const parsed = DatasetBody.safeParse(body);
      expect([name, parsed.success ? 'ok' : parsed.error.issues]).toEqual([name, 'ok']);
      datasets.set(String(id), { id: String(id), variables: (body as { variables: Array<{ code: string }> }).variables });
    }
    const folders = (await readdir(PROFILES, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== 'datasets' && d.name !== 'areas');
    let count = 0;
    for (const folder of folders) {
      for (const { name, json } of await jsonFiles(path.join(PROFILES, folder.name))) {
        const parsed = ShippedProfile.safeParse(json);
        expect([name, parsed.success ? 'ok' : parsed.error.issues]).toEqual([name, 'ok']);
        if (!parsed.success) continue;
        const dataset = datasets.get(parsed.data.dataset);
        expect([name, dataset ? 'ok' : `Datensatz ${parsed.data.dataset} fehlt`]).toEqual([name, 'ok']);
        if (dataset) expect([name, checkProfileAgainstDataset(parsed.data, dataset)]).toEqual([name, []]);
        count += 1;
      }
    }
    expect(count).toBeGreaterThanOrEqual(8);
  });
});
