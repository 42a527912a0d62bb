/**
 * Shared by the tenant register's tests: a small Gemeindeverzeichnis in the GV100AD fixed-width
 * form with real records of Schleswig-Holstein (Gebietsstand 30.11.2023: Flensburg as a
 * kreisfreie Stadt, five Gemeinden of Nordfriesland from Husum with 23,735 inhabitants down to
 * Gröde with 11, two of Schleswig-Flensburg), and a fresh embedded store per test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLmdbDocumentStore, createLmdbEventStore } from '@lagebild/platform';
import { loadGemeindeverzeichnis } from '../../src/areas';
import type { TenancyContext } from '../../src/tenancy';

const STAND = '20231130';

/** One 220-character GV100AD record from fields at their 1-based positions. */
function record(fields: Array<[number, string]>): string {
  const chars = Array.from({ length: 220 }, () => ' ');
  for (const [from, text] of fields) [...text].forEach((c, i) => (chars[from - 1 + i] = c));
  return chars.join('');
}

const num = (n: number, width = 11) => String(n).padStart(width, '0');

const land = (key: string, name: string, sitz: string) => record([[1, `10${STAND}${key}`], [23, name], [73, sitz]]);
const kreis = (key: string, name: string, sitz: string, tk: string) => record([[1, `40${STAND}${key}`], [23, name], [73, sitz], [123, tk]]);
const verband = (kreisKey: string, key: string, name: string, tk: string) => record([[1, `50${STAND}${kreisKey}`], [19, key], [23, name], [123, tk]]);
const gemeinde = (ags: string, verbandKey: string, name: string, tk: string, ha: number, total: number, male: number, plz: string) =>
  record([[1, `60${STAND}${ags}`], [19, verbandKey], [23, name], [123, tk], [129, num(ha)], [140, num(total)], [151, num(male)], [166, plz]]);

/** Members of Nordfriesland in the fixture, with their population (GV100AD 30.11.2023). */
export const NF = {
  kreis: '01054',
  husum: '01054056', // 23,735: above the default partner threshold
  sylt: '01054168', // 13,924
  niebuell: '01054088', // 10,192
  leck: '01054076', // 7,860
  groede: '01054039', // 11
} as const;
export const SLFL = { kreis: '01059', schleswig: '01059083', kappeln: '01059045' } as const;
export const FLENSBURG = { stadt: '01001', gemeinde: '01001000' } as const;

export function gv100ad(): Buffer {
  return Buffer.from(
    [
      land('01', 'Schleswig-Holstein', 'Kiel'),
      kreis('01001', 'Flensburg, Stadt', 'Flensburg', '41'),
      verband('01001', '0000', 'Flensburg, Stadt', '50'),
      gemeinde('01001000', '0000', 'Flensburg, Stadt', '61', 5673, 92550, 45700, '24937'),
      kreis('01054', 'Nordfriesland', 'Husum', '43'),
      verband('01054', '0056', 'Husum, Stadt', '50'),
      verband('01054', '0168', 'Sylt', '50'),
      verband('01054', '5459', 'Pellworm', '51'),
      verband('01054', '5489', 'Südtondern', '51'),
      gemeinde('01054056', '0056', 'Husum, Stadt', '63', 2580, 23735, 11366, '25813'),
      gemeinde('01054168', '0168', 'Sylt', '64', 5731, 13924, 6735, '25980'),
      gemeinde('01054039', '5459', 'Gröde', '64', 252, 11, 5, '25869'),
      gemeinde('01054076', '5489', 'Leck', '64', 2979, 7860, 3819, '25917'),
      gemeinde('01054088', '5489', 'Niebüll, Stadt', '63', 3063, 10192, 4902, '25899'),
      kreis('01059', 'Schleswig-Flensburg', 'Schleswig', '43'),
      verband('01059', '0045', 'Kappeln, Stadt', '50'),
      verband('01059', '0083', 'Schleswig, Stadt', '50'),
      gemeinde('01059045', '0045', 'Kappeln, Stadt', '63', 4290, 8677, 4200, '24376'),
      gemeinde('01059083', '0083', 'Schleswig, Stadt', '63', 2430, 25276, 12100, '24837'),
    ].join('\n') + '\n',
    'utf8',
  );
}

export interface TestContext {
  ctx: TenancyContext;
  dir: string;
  /** Loads the fixture Gemeindeverzeichnis into the store. */
  loadGv(): Promise<void>;
  close(): Promise<void>;
}

/** A fresh store; the clock is fixed (and settable) so that times in events are known. */
export async function openContext(now = new Date('2024-03-04T10:00:00.000Z')): Promise<TestContext & { setNow(d: Date): void }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lagebild-tenancy-'));
  const eventStore = createLmdbEventStore({ path: dir });
  const documents = createLmdbDocumentStore({ path: dir });
  let clock = now;
  const ctx: TenancyContext = { eventStore, documents, now: () => clock };
  return {
    ctx,
    dir,
    setNow: (d) => (clock = d),
    async loadGv() {
      await loadGemeindeverzeichnis({ eventStore, documents }, { fileName: 'GV100AD_301123_test.txt', bytes: gv100ad() }, { subject: 'system:test' });
    },
    async close() {
      await documents.close();
      await eventStore.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
