import iconv from 'iconv-lite';
import { AreaRuleViolation } from '../decide';

/** Encoding names users write, mapped to the labels iconv-lite and TextDecoder know. */
const ALIASES: Record<string, string> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  latin1: 'windows-1252',
  'latin-1': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  ansi: 'windows-1252',
  '1252': 'windows-1252',
  cp850: 'cp850',
  ibm850: 'cp850',
};

/**
 * The canonical label of an encoding name (Latin-1 is read as Windows-1252, its superset, as
 * the WHATWG encoding standard does); throws a German refusal for unknown names.
 */
export function canonicalEncoding(name: string): string {
  const key = name.trim().toLowerCase();
  const label = ALIASES[key] ?? (iconv.encodingExists(key) ? key : undefined);
  if (!label) {
    throw new AreaRuleViolation('invalid-input', `Unbekannte Zeichenkodierung "${name}" (bekannt: utf-8, latin1, windows-1252, iso-8859-15, cp850).`);
  }
  return label;
}

/**
 * Decodes text: a BOM decides, else strict UTF-8 when the bytes are valid UTF-8, else
 * Windows-1252 (what German offices' spreadsheets export). An explicit encoding wins.
 */
export function decodeText(bytes: Buffer, encoding?: string): { text: string; encoding: string } {
  if (encoding) {
    const label = canonicalEncoding(encoding);
    const text = iconv.decode(bytes, label);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding: label };
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8 (BOM)' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'windows-1252'), encoding: 'windows-1252' };
  }
}
