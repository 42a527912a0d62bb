import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCsv } from '../../src/files/csv';
import { FatalParseError, type Cell, type ParseProblem } from '../../src/files/types';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lagebild-csv-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(name: string, content: string | Buffer, skipRows = 0) {
  const file = path.join(dir, name);
  await writeFile(file, content);
  const rows: Array<[number, readonly Cell[]]> = [];
  const problems: ParseProblem[] = [];
  const result = await readCsv({ path: file, encoding: 'utf-8', delimiter: ';', quote: '"', skipRows }, { row: (line, cells) => rows.push([line, cells]), problem: (p) => problems.push(p) }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { rows, problems, error: result };
}

describe('readCsv line numbers', () => {
  it('match an editor in a CRLF file whose quoted fields hold line breaks', async () => {
    const lines = ['Titel', 'Gebiet;Name;Einwohner', 'SR01;"Alt\r\nstadt";1', 'SR02;"Neu\r\n\r\nstadt\r\n";2', 'SR03;Süd;3', 'SR04;"Nord\nstadt";4', 'SR05;West;5'];
    const { rows, problems } = await read('crlf.csv', `${lines.join('\r\n')}\r\n`, 1);
    expect(problems).toEqual([]);
    // Line 2 header; SR01 on 3-4; SR02 on 5-8; SR03 on 9; SR04 on 10-11; SR05 on 12.
    expect(rows.map(([line, cells]) => [line, cells[0]])).toEqual([
      [2, 'Gebiet'],
      [3, 'SR01'],
      [5, 'SR02'],
      [9, 'SR03'],
      [10, 'SR04'],
      [12, 'SR05'],
    ]);
  });

  it('stay right after empty lines and match the same file with LF line ends', async () => {
    const lines = ['Gebiet;Name', 'SR01;"Alt', 'stadt"', '', 'SR02;x'];
    const crlf = await read('leer-crlf.csv', `${lines.join('\r\n')}\r\n`);
    const lf = await read('leer-lf.csv', `${lines.join('\n')}\n`);
    expect(crlf.rows.map(([line]) => line)).toEqual(lf.rows.map(([line]) => line));
    expect(crlf.rows.filter(([, cells]) => cells[0] === 'SR02').map(([line]) => line)).toEqual([5]);
  });
});

describe('readCsv on a line of 6 MiB', () => {
  it('reports it once, at the line where it starts, and stops reading', async () => {
    const { rows, problems, error } = await read('riesenzeile.csv', Buffer.concat([Buffer.from('Gebiet;Name\nSR01;x\n'), Buffer.alloc(6 * 1024 * 1024, 0x41), Buffer.from('\nSR02;y\n')]));
    expect(problems).toEqual([]);
    expect(error).toBeInstanceOf(FatalParseError);
    expect((error as FatalParseError).problem).toMatchObject({ code: 'CSV_SYNTAX', line: 3, fatal: true, facts: { reason: 'die Zeile ist zu lang' } });
    expect(rows.map(([line]) => line)).toEqual([1, 2]);
  });

  it('calls a quote left open that swallows more than the limit an open quote, at its first line', async () => {
    const body = Array.from({ length: 120_000 }, (_, i) => `SR${i};Name ${i} mit etwas Text, damit es viel wird`).join('\r\n');
    const { problems, error } = await read('offen.csv', `Gebiet;Name\r\nSR00;"offen\r\n${body}\r\n`);
    expect(problems).toEqual([]);
    expect((error as FatalParseError).problem).toMatchObject({ code: 'CSV_SYNTAX', line: 2, facts: { reason: expect.stringContaining('Anführungszeichen wird nicht geschlossen') } });
  });
});
