/**
 * Multipart uploads, the one way the ingestion service reads them (area files and deliveries):
 * busboy parses the request as it streams in; each file part goes to a handler that decides
 * where it goes (into memory for an area file, hashed to disk for a delivery); form fields
 * arrive as text. A failure ends the request at once: the rest of the body is drained, not
 * read, so the client gets the answer (413, 400, 415) instead of a reset connection.
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Request } from 'express';
import { formatBytes, ProblemError } from '@lagebild/platform';

export interface MultipartLimits {
  /** Most files per request. */
  files: number;
  /** Busboy's own cap per file; a handler enforces the limit it reports (busboy cuts the stream off there). */
  fileBytes: number;
  fields?: number;
  fieldSize?: number;
}

export interface FilePart {
  field: string;
  /** The client's file name without any path ('' when it sent none). */
  fileName: string;
  /** The file's bytes; `truncated` is set once busboy cut it off at `limits.fileBytes`. */
  stream: Readable & { truncated?: boolean };
  /** The form fields that arrived before this file. */
  fields: Readonly<Record<string, string>>;
}

export interface MultipartOptions<F> {
  limits: MultipartLimits;
  /** What the endpoint takes, for the 415 answer to a request that is not multipart (German). */
  accepts: string;
  /** The answer when more than `limits.files` files arrive (German). */
  tooManyFiles: string;
  /**
   * Takes a file part: a promise of what it became, or undefined to skip it (the part is
   * drained). A rejection ends the request with that error.
   */
  onFile(part: FilePart): Promise<F> | undefined;
}

export interface Multipart<F> {
  files: F[];
  fields: Record<string, string>;
}

function unreadable(error: unknown): ProblemError {
  return new ProblemError({ status: 400, type: 'bad-multipart', title: 'Fehlerhafte Anfrage', detail: `Die mehrteilige Anfrage ist nicht lesbar: ${(error as Error).message}`, cause: error });
}

export function readMultipart<F>(req: Request, options: MultipartOptions<F>): Promise<Multipart<F>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(
      new ProblemError({
        status: 415,
        type: 'unsupported-media-type',
        title: 'Falsches Format der Anfrage',
        detail: `${options.accepts}; erhalten: ${type || 'kein Content-Type'}.`,
      }),
    );
  }
  const { limits } = options;
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: limits.files, fileSize: limits.fileBytes, fields: limits.fields ?? 50, fieldSize: limits.fieldSize ?? 64 * 1024 } });
    } catch (error) {
      reject(unreadable(error));
      return;
    }
    const fields: Record<string, string> = {};
    const pending: Array<Promise<F>> = [];
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
      // A form cut off mid-file makes busboy fail this stream too; that failure reaches the
      // request through the parser's 'error' (and the consumer's pipeline), but the stream must
      // never be without a listener while its consumer is still getting ready (a profile lookup),
      // or the error would end the process.
      stream.on('error', () => undefined);
      const handled = failed ? undefined : options.onFile({ field, fileName: (info.filename ?? '').split(/[\\/]/).pop()!, stream, fields: { ...fields } });
      if (!handled) {
        stream.resume();
        return;
      }
      handled.catch(fail);
      pending.push(handled);
    });
    parser.on('filesLimit', () => fail(new ProblemError({ status: 400, type: 'too-many-files', title: 'Zu viele Dateien', detail: options.tooManyFiles })));
    parser.on('error', (error: Error) => fail(unreadable(error)));
    parser.on('close', () => {
      if (failed) return;
      Promise.all(pending).then(
        (files) => {
          if (!failed) resolve({ files, fields });
        },
        () => undefined,
      );
    });
    req.pipe(parser);
  });
}

/** A file read into memory (area files: a shapefile's parts are read together). */
export interface BufferedFile {
  field: string;
  fileName: string;
  bytes: Buffer;
}

/** Collects a file part into memory, refusing it with 413 beyond `maxBytes`. */
export function bufferFile(part: FilePart, maxBytes: number): Promise<BufferedFile> {
  const fileName = part.fileName || part.field;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    part.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    part.stream.on('limit', () =>
      reject(
        new ProblemError({
          status: 413,
          type: 'upload-too-large',
          title: 'Datei zu groß',
          detail: `Die Datei ${fileName} ist größer als erlaubt (höchstens ${formatBytes(maxBytes)}).`,
          extensions: { limit: maxBytes },
        }),
      ),
    );
    part.stream.on('error', reject);
    part.stream.on('end', () => {
      if (!part.stream.truncated) resolve({ field: part.field, fileName, bytes: Buffer.concat(chunks) });
    });
  });
}
