import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sniffContainer } from '../../src/files/spreadsheet';

const DATA = path.resolve(__dirname, '../../../../../shared/data');
const CORPUS = path.resolve(__dirname, '../../../../test/fixtures/bad-input');

describe('sniffContainer', () => {
  it('knows a legacy Excel workbook by its OLE2 signature and an XLSX by its zip signature', () => {
    expect(sniffContainer(readFileSync(path.join(DATA, 'germany/inkar_arbeitslose_gemeinden_1998_2021.xls')))).toBe('ole2');
    expect(sniffContainer(Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'))).toBe('zip');
    // Excel 4.0 worksheet: a bare BIFF stream starting with its BOF record.
    expect(sniffContainer(Buffer.from([0x09, 0x04, 0x06, 0x00, 0x00, 0x00, 0x10, 0x00]))).toBe('biff');
  });

  it('tells what a file named .xls really is: HTML, text (CSV), XML, PDF', () => {
    expect(sniffContainer(readFileSync(path.join(CORPUS, 'be-einwohner-html-als-xls.xls')))).toBe('html');
    expect(sniffContainer(readFileSync(path.join(CORPUS, 'be-einwohner-text-als-xls.xls')))).toBe('text');
    expect(sniffContainer(Buffer.from('\uFEFF<!DOCTYPE html><html><body><table>', 'utf8'))).toBe('html');
    expect(sniffContainer(Buffer.from('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', 'utf8'))).toBe('xml');
    expect(sniffContainer(Buffer.from('%PDF-1.7\n', 'latin1'))).toBe('pdf');
    expect(sniffContainer(Buffer.from([0xff, 0xfe, 0x53, 0x00]))).toBe('text');
    expect(sniffContainer(Buffer.from([0x00, 0x01, 0x02, 0x03]))).toBe('binary');
  });
});
