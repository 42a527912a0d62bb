/**
 * The multipart upload of a delivery, streamed through busboy straight to the work directory
 * (hashing on the way): a 500 MB file never sits in memory. Beyond the size limit the request
 * ends with 413 and a German message, and nothing is kept.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { ProblemError } from '@lagebild/platform';
import { DeliveryRefusedError, type StoredFile } from './application';

export interface DeliveryUpload {
  file: StoredFile | undefined;
  fields: Record<string, string>;
}

export interface DeliveryUploadOptions {
  /** Limit before the profile is known (fields after the file). */
  maxBytes: number;
  /** The limit for a profile, once its field has arrived. */
  maxBytesFor?: (profileId: string) => Promise<number | undefined>;
  receive(stream: NodeJS.ReadableStream, fileName: string, maxBytes: number): Promise<StoredFile>;
}

function badRequest(detail: string, cause?: unknown): ProblemError {
  return new ProblemError({ status: 400, type: 'bad-multipart', title: 'Fehlerhafte Anfrage', detail, cause });
}

export function readDeliveryUpload(req: Request, options: DeliveryUploadOptions): Promise<DeliveryUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(
      new ProblemError({
        status: 415,
        type: 'unsupported-media-type',
        title: 'Falsches Format der Anfrage',
        detail: `Lieferungen werden als multipart/form-data hochgeladen (Felder profile, tenant, period und die Datei im Feld file); erhalten: ${type || 'kein Content-Type'}.`,
      }),
    );
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // busboy's own limit one byte above ours: our meter reports the overflow with the German message.
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 64 * 1024, fileSize: options.maxBytes + 1 } });
    } catch (error) {
      reject(badRequest(`Die mehrteilige Anfrage ist nicht lesbar: ${(error as Error).message}`, error));
      return;
    }
    const fields: Record<string, string> = {};
    let pending: Promise<StoredFile> | undefined;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || pending) {
        stream.resume();
        return;
      }
      const fileName = (info.filename || 'lieferung').split(/[\\/]/).pop()!;
      pending = (async () => {
        const profileLimit = fields.profile && options.maxBytesFor ? await options.maxBytesFor(fields.profile) : undefined;
        return options.receive(stream, fileName, Math.min(options.maxBytes, profileLimit ?? options.maxBytes));
      })();
      pending.catch((error: unknown) => {
        if (error instanceof DeliveryRefusedError) {
          fail(
            new ProblemError({
              status: 413,
              type: 'delivery-too-large',
              title: 'Datei zu groß',
              detail: error.finding.message,
              extensions: { code: error.finding.code, findings: [error.finding] },
            }),
          );
        } else fail(error);
      });
    });
    parser.on('filesLimit', () => fail(new ProblemError({ status: 400, type: 'too-many-files', title: 'Zu viele Dateien', detail: 'Eine Lieferung ist genau eine Datei (Feld file).' })));
    parser.on('error', (error: Error) => fail(badRequest(`Die mehrteilige Anfrage ist nicht lesbar: ${error.message}`, error)));
    parser.on('close', () => {
      if (failed) return;
      if (!pending) {
        resolve({ file: undefined, fields });
        return;
      }
      pending.then(
        (file) => {
          if (!failed) resolve({ file, fields });
        },
        () => undefined,
      );
    });
    req.pipe(parser);
  });
}
