/**
 * The one multipart reader of the service (src/http/upload.ts) through a real HTTP server: what
 * a client sees when the request is not multipart, holds too many files, or a file is too large,
 * and that a file's handler sees the fields sent before it.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ProblemError } from '@lagebild/platform';
import { bufferFile, readMultipart } from '../../src/http/upload';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.post('/upload', async (req, res) => {
    try {
      const upload = await readMultipart(req, {
        limits: { files: 2, fileBytes: 1024 },
        accepts: 'Dateien werden als multipart/form-data hochgeladen',
        tooManyFiles: 'Höchstens 2 Dateien je Anfrage.',
        onFile: (part) => (part.field === 'ignored' ? undefined : bufferFile(part, 1024).then((file) => ({ ...file, fieldsBefore: Object.keys(part.fields) }))),
      });
      res.json({ fields: upload.fields, files: upload.files.map((f) => ({ field: f.field, fileName: f.fileName, size: f.bytes.length, fieldsBefore: f.fieldsBefore })) });
    } catch (error) {
      const problem = error instanceof ProblemError ? error : undefined;
      res.status(problem?.status ?? 500).json({ type: problem?.type, detail: problem?.detail });
    }
  });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function form(parts: Array<[string, string] | [string, Buffer, string]>): FormData {
  const body = new FormData();
  for (const [name, value, fileName] of parts) {
    if (typeof value === 'string') body.append(name, value);
    else body.append(name, new Blob([value]), fileName);
  }
  return body;
}

describe('readMultipart', () => {
  it('reads fields and files, hands each file the fields sent before it, and skips parts the handler declines', async () => {
    const res = await fetch(base, {
      method: 'POST',
      body: form([
        ['scheme', 'sozialraeume'],
        ['file', Buffer.from('abc'), 'C:\\Users\\sb\\gebiete.csv'],
        ['ignored', Buffer.from('x'), 'egal.txt'],
        ['reason', 'Fortschreibung'],
      ]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ fields: { scheme: 'sozialraeume', reason: 'Fortschreibung' }, files: [{ field: 'file', fileName: 'gebiete.csv', size: 3, fieldsBefore: ['scheme'] }] });
  });

  it('answers 415 to a request that is not multipart, saying what it takes', async () => {
    const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ type: 'urn:lagebild:problem:unsupported-media-type', detail: 'Dateien werden als multipart/form-data hochgeladen; erhalten: application/json.' });
  });

  it('answers 413 with a German message when a file is over the limit', async () => {
    const res = await fetch(base, { method: 'POST', body: form([['file', Buffer.alloc(5000, 0x41), 'gross.csv']]) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ type: 'urn:lagebild:problem:upload-too-large', detail: 'Die Datei gross.csv ist größer als erlaubt (höchstens 1 KB).' });
  });

  it('answers 400 when more files arrive than allowed', async () => {
    const res = await fetch(base, { method: 'POST', body: form([['a', Buffer.from('1'), 'a.csv'], ['b', Buffer.from('2'), 'b.csv'], ['c', Buffer.from('3'), 'c.csv']]) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ type: 'urn:lagebild:problem:too-many-files', detail: 'Höchstens 2 Dateien je Anfrage.' });
  });
});
