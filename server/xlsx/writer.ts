// A streaming .xlsx writer (issue 15: "memory stays flat at 100,000 rows"). Each sheet's XML is written row by row
// into a PassThrough that yazl deflates into the zip as it reads it, the zip goes straight to a file: nothing holds
// more than the row being written and zlib's window. Strings are inline (t="inlineStr"), so there is no shared-string
// table to keep in memory. Sheets are written one after another (yazl reads its entries in order).
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import yazl from 'yazl';

export type CellValue = string | number | boolean | null | undefined;

export interface SheetOptions {
  /** column widths in characters (Excel's unit), by position */
  widths?: number[];
  /** the first row stays visible when scrolling */
  freezeHeader?: boolean;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
/** a cell holds at most this many characters (Excel's limit) */
const MAX_CELL = 32_767;

// Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): dropped.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(value: string): string {
  return value.replace(NOT_XML, '').replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

/** A, B, …, Z, AA, … for column index 0, 1, … */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** Excel refuses sheet names with []:*?/\ and longer than 31 characters. */
function sheetName(name: string, taken: Set<string>): string {
  let base =
    name
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet';
  for (let i = 2; taken.has(base.toLowerCase()); i++) base = `${name.slice(0, 28)}(${i})`;
  taken.add(base.toLowerCase());
  return base;
}

export class XlsxSheet {
  private rowIndex = 0;
  private readonly columns: string[] = [];
  private ended = false;

  constructor(private readonly out: PassThrough) {}

  private column(i: number): string {
    while (this.columns.length <= i) this.columns.push(columnName(this.columns.length));
    return this.columns[i]!;
  }

  private rowXml(values: readonly CellValue[], bold: boolean): string {
    const r = ++this.rowIndex;
    const style = bold ? ' s="1"' : '';
    let xml = `<row r="${r}">`;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined || v === '') continue;
      const ref = `${this.column(i)}${r}`;
      if (typeof v === 'number' && Number.isFinite(v)) xml += `<c r="${ref}"${style}><v>${v}</v></c>`;
      else if (typeof v === 'boolean') xml += `<c r="${ref}"${style} t="b"><v>${v ? 1 : 0}</v></c>`;
      else {
        const s = String(v);
        xml += `<c r="${ref}"${style} t="inlineStr"><is><t xml:space="preserve">${escapeXml(s.length > MAX_CELL ? s.slice(0, MAX_CELL) : s)}</t></is></c>`;
      }
    }
    return xml + '</row>';
  }

  private async write(xml: string): Promise<void> {
    if (this.ended) throw new Error('sheet already ended');
    if (!this.out.write(xml)) await once(this.out, 'drain');
  }

  /** Appends one row; waits when the zip has not yet taken what was written (back-pressure). */
  async row(values: readonly CellValue[], opts: { bold?: boolean } = {}): Promise<void> {
    await this.write(this.rowXml(values, !!opts.bold));
  }

  /** Appends a batch of rows in one write (a batch of a thousand is some hundreds of KB of XML). */
  async rowsBatch(batch: readonly (readonly CellValue[])[]): Promise<void> {
    if (batch.length) await this.write(batch.map((values) => this.rowXml(values, false)).join(''));
  }

  get rows(): number {
    return this.rowIndex;
  }

  /** @internal */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.out.end('</sheetData></worksheet>');
  }
}

/**
 * Writes a workbook to `file`: `await w.sheet(name)` for each sheet in turn, rows into it, then `await w.finish()`.
 */
export class XlsxWriter {
  private readonly zip = new yazl.ZipFile();
  private readonly done: Promise<void>;
  private readonly sheets: string[] = [];
  private readonly names = new Set<string>();
  private current: XlsxSheet | null = null;

  constructor(file: string) {
    const output = fs.createWriteStream(file);
    this.done = new Promise<void>((resolve, reject) => {
      output.on('close', resolve);
      output.on('error', reject);
      this.zip.outputStream.on('error', reject);
    });
    this.zip.outputStream.pipe(output);
  }

  /** Starts the next sheet (ending the one before). */
  async sheet(name: string, opts: SheetOptions = {}): Promise<XlsxSheet> {
    await this.current?.end();
    const out = new PassThrough({ highWaterMark: 64 * 1024 });
    this.sheets.push(sheetName(name, this.names));
    this.zip.addReadStream(out, `xl/worksheets/sheet${this.sheets.length}.xml`, { compress: true });
    let head = `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`;
    if (opts.freezeHeader) {
      head += '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>';
    }
    if (opts.widths?.length) {
      head += `<cols>${opts.widths.map((w, i) => `<col min="${i + 1}" max="${i + 1}" width="${Math.max(4, Math.min(100, w))}" customWidth="1"/>`).join('')}</cols>`;
    }
    head += '<sheetData>';
    out.write(head);
    this.current = new XlsxSheet(out);
    return this.current;
  }

  /** Ends the last sheet, writes the workbook's parts and waits until the file is complete. */
  async finish(): Promise<void> {
    if (!this.current) await this.sheet('Sheet1');
    await this.current!.end();
    const n = this.sheets.length;
    const part = (text: string, path: string) => this.zip.addBuffer(Buffer.from(text, 'utf8'), path, { compress: true });
    part(
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        Array.from(
          { length: n },
          (_, i) =>
            `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
        ).join('') +
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>' +
        '</Types>',
      '[Content_Types].xml',
    );
    part(
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="${NS_REL}/extended-properties" Target="docProps/app.xml"/>` +
        '</Relationships>',
      '_rels/.rels',
    );
    part(
      `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>新疆科技工作者之家 申报平台</Application></Properties>`,
      'docProps/app.xml',
    );
    part(
      `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews><sheets>` +
        this.sheets.map((name, i) => `<sheet name="${escapeXml(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
      'xl/workbook.xml',
    );
    part(
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        this.sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${NS_REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
        `<Relationship Id="rId${n + 1}" Type="${NS_REL}/styles" Target="styles.xml"/>` +
        '</Relationships>',
      'xl/_rels/workbook.xml.rels',
    );
    part(
      `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
        '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font><font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>' +
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
        '</styleSheet>',
      'xl/styles.xml',
    );
    this.zip.end();
    await this.done;
  }

  /** Gives up: the zip is ended (the caller removes the file). */
  async abort(): Promise<void> {
    await this.current?.end();
    this.zip.end();
    await this.done.catch(() => undefined);
  }
}

/** One sheet of rows (header bold) as a whole: small workbooks (the ranking, the tallies, the final list). */
export async function writeSheets(file: string, sheets: { name: string; header: string[]; rows: CellValue[][]; widths?: number[] }[]): Promise<void> {
  const w = new XlsxWriter(file);
  for (const s of sheets) {
    const sheet = await w.sheet(s.name, { widths: s.widths ?? s.header.map((h) => Math.max(10, Math.min(40, h.length * 2 + 2))), freezeHeader: true });
    await sheet.row(s.header, { bold: true });
    for (const r of s.rows) await sheet.row(r);
  }
  await w.finish();
}
