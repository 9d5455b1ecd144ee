// Reader for CSV files (RFC 4180: comma-separated, a header row, double quotes around fields
// that hold commas, quotes or line breaks, "" for a quote inside them). Blank lines are skipped.
// Each row keeps its line number, so later checks can say where a value is wrong.

export class CsvError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'CsvError';
  }
}

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** The 1-based line on which each row starts. */
  lines: number[];
}

/** Splits CSV text into a header and rows of fields, all of the header's width. */
export function parseCsv(rawText: string, file: string): CsvTable {
  const text = rawText.replace(/^\uFEFF/, '');
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    // A line holding nothing at all is blank, not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) {
      records.push({ fields, line: recordLine });
    }
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') {
        throw new CsvError(
          file,
          `line ${line}: a quote inside an unquoted field; quote the whole field and double the quote ("")`,
        );
      }
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted)
    throw new CsvError(
      file,
      `line ${recordLine}: a quoted field is not closed before the end of the file`,
    );
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  if (records.length === 0)
    throw new CsvError(file, 'the file is empty; expected a header row and data rows');
  const [head, ...body] = records;
  const header = head.fields.map((h) => h.trim());
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '')
      throw new CsvError(file, `line ${head.line}: the header has an empty column name`);
    if (seen.has(name))
      throw new CsvError(file, `line ${head.line}: column '${name}' appears twice in the header`);
    seen.add(name);
  }
  for (const r of body) {
    if (r.fields.length !== header.length) {
      throw new CsvError(
        file,
        `line ${r.line}: ${r.fields.length} fields, but the header has ${header.length} columns`,
      );
    }
  }
  if (body.length === 0) throw new CsvError(file, 'the file has a header but no data rows');
  return { header, rows: body.map((r) => r.fields), lines: body.map((r) => r.line) };
}
