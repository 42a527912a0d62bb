/**
 * Multipart uploads (busboy, streamed): files are collected up to a size limit, form fields as
 * text. A file over the limit ends the request with 413 before the rest is read into memory.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { ProblemError } from '@lagebild/platform';

export interface UploadedFile {
  field: string;
  fileName: string;
  bytes: Buffer;
}

export interface Upload {
  files: UploadedFile[];
  fields: Record<string, string>;
}

export interface UploadLimits {
  /** Largest single file in bytes. */
  fileBytes: number;
  /** Most files per request (a shapefile is up to 5 parts). */
  files: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { fileBytes: 200 * 1024 * 1024, files: 8 };

function tooLarge(fileName: string, limit: number): ProblemError {
  return new ProblemError({
    status: 413,
    type: 'upload-too-large',
    title: 'Datei zu groß',
    detail: `Die Datei ${fileName} ist größer als erlaubt (höchstens ${Math.round(limit / 1024 / 1024)} MB).`,
    extensions: { limit },
  });
}

export function readUpload(req: Request, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<Upload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(
      new ProblemError({
        status: 415,
        type: 'unsupported-media-type',
        title: 'Falsches Format der Anfrage',
        detail: `Dateien werden als multipart/form-data hochgeladen (erhalten: ${type || 'kein Content-Type'}).`,
      }),
    );
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: limits.fileBytes, files: limits.files, fields: 50, fieldSize: 1024 * 1024 } });
    } catch (error) {
      reject(new ProblemError({ status: 400, type: 'bad-multipart', title: 'Fehlerhafte Anfrage', detail: `Die mehrteilige Anfrage ist nicht lesbar: ${(error as Error).message}`, cause: error }));
      return;
    }
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    let failed = false;
    const fail = (error: ProblemError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      // Drain the rest, so the client gets the answer instead of a reset connection.
      req.resume();
      reject(error);
    };
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      const fileName = info.filename || field;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(tooLarge(fileName, limits.fileBytes)));
      stream.on('end', () => {
        if (!failed) files.push({ field, fileName, bytes: Buffer.concat(chunks) });
      });
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('filesLimit', () => fail(new ProblemError({ status: 413, type: 'too-many-files', title: 'Zu viele Dateien', detail: `Höchstens ${limits.files} Dateien je Anfrage.` })));
    parser.on('error', (error: Error) => fail(new ProblemError({ status: 400, type: 'bad-multipart', title: 'Fehlerhafte Anfrage', detail: `Die mehrteilige Anfrage ist nicht lesbar: ${error.message}`, cause: error })));
    parser.on('close', () => {
      if (!failed) resolve({ files, fields });
    });
    req.pipe(parser);
  });
}
