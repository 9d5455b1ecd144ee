// Finds the first JSON syntax error with its position. Node's JSON.parse does not always say
// where the problem is, and the YAML parser accepts things JSON does not (trailing commas,
// unquoted strings), so .json files are checked against strict JSON first.

export interface JsonSyntaxError {
  message: string;
  line: number; // 1-based
  column: number; // 1-based
}

class JsonScanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string, at = this.pos): never {
    throw new ScanError(message, at);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos])) this.pos++;
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    return `'${this.text[this.pos]}'`;
  }

  value(): void {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    if (c === "'") this.fail('strings must use double quotes (") in JSON');
    this.fail(`expected a value, found ${this.describeHere()}`);
  }

  object(): void {
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') this.fail("trailing comma before '}'");
      if (this.text[this.pos] !== '"') {
        this.fail(`expected a double-quoted property name, found ${this.describeHere()}`);
      }
      this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') {
        this.fail(`expected ':' after the property name, found ${this.describeHere()}`);
      }
      this.pos++;
      this.value();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return;
      }
      this.fail(`expected ',' or '}' after a property value, found ${this.describeHere()}`);
    }
  }

  array(): void {
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === ']') this.fail("trailing comma before ']'");
      this.value();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return;
      }
      this.fail(`expected ',' or ']' after an array element, found ${this.describeHere()}`);
    }
  }

  string(): void {
    const start = this.pos;
    this.pos++; // "
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            this.fail('invalid \\u escape in string');
          }
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('invalid escape in string');
        this.pos += 2;
        continue;
      }
      if (c === '\n' || c.charCodeAt(0) < 0x20) this.fail('unterminated string', start);
      this.pos++;
    }
    this.fail('unterminated string', start);
  }

  number(): void {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
  }
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The first syntax error in `text` as strict JSON, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const scanner = new JsonScanner(text);
  try {
    scanner.skipSpace();
    if (scanner.pos >= text.length) scanner.fail('the file is empty');
    scanner.value();
    scanner.skipSpace();
    if (scanner.pos < text.length) {
      scanner.fail(`unexpected ${scanner.describeHere()} after the end of the JSON value`);
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    return { message: e.message, ...lineColumn(text, e.offset) };
  }
}
