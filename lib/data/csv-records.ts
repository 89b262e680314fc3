/**
 * Splitting CSV text into records of fields (RFC 4180): quoted fields with "" for a quote and
 * delimiters or line breaks inside, CRLF, LF or CR line ends, blank lines skipped. Every record
 * keeps the line number it starts on, so messages can name the line a person sees in an editor.
 */

export type Delimiter = ',' | ';' | '\t';

export interface CsvRecords {
  /** Fields of each non-blank record, unquoted, in file order. */
  records: string[][];
  /** 1-based line number on which each record starts. */
  lines: number[];
  /** Set when reading stopped at a malformed quoted field; `records` holds the records before it. */
  problem: QuoteProblem | null;
}

export interface QuoteProblem {
  kind: 'unclosed-quote' | 'text-after-quote';
  /** Line on which the record holding the bad field starts. */
  line: number;
  /** 0-based index of the bad field in its record. */
  fieldIndex: number;
  /** The offending text (the start of an unclosed value, or the whole malformed field), for the message. */
  excerpt: string;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** How much of the file the delimiter guess looks at: the header line is enough. */
const DELIMITER_SAMPLE_CHARS = 65_536;

/**
 * The delimiter of the first line: whichever of `,` `;` and tab occurs most often outside quotes
 * (`,` on a tie or when none occurs: a single-column file).
 */
export function detectDelimiter(text: string): Delimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  const end = Math.min(text.length, DELIMITER_SAMPLE_CHARS);
  for (let index = 0; index < end; index++) {
    const character = text[index]!;
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === '\n' || character === '\r')) break;
    else if (!quoted && (character === ',' || character === ';' || character === '\t')) counts[character]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

/** Characters of a bad field that messages quote. */
const EXCERPT_CHARS = 24;

/** The start of an unclosed quoted value, up to the end of its first line. */
function excerptOf(text: string, start: number): string {
  const excerpt = text.slice(start, start + EXCERPT_CHARS).split(/\r\n|\r|\n/)[0]!;
  return excerpt.length < text.length - start ? `${excerpt}...` : excerpt;
}

/** Line breaks (LF, CRLF or a lone CR) in text[start, end). */
function countLineBreaks(text: string, start: number, end: number): number {
  let breaks = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === LF || (code === CR && text.charCodeAt(index + 1) !== LF)) breaks++;
  }
  return breaks;
}

function hasLoneCarriageReturn(text: string): boolean {
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) !== LF) return true;
  }
  return false;
}

/** A file without quotes or lone CRs: native splits only, fast even before the JIT warms up. */
function readUnquoted(text: string, delimiter: Delimiter): CsvRecords {
  const records: string[][] = [];
  const lines: number[] = [];
  const rawLines = text.split('\n');
  for (let index = 0; index < rawLines.length; index++) {
    let rawLine = rawLines[index]!;
    if (rawLine.charCodeAt(rawLine.length - 1) === CR) rawLine = rawLine.slice(0, -1);
    if (rawLine.length === 0) continue;
    records.push(rawLine.split(delimiter));
    lines.push(index + 1);
  }
  return { records, lines, problem: null };
}

/**
 * Files without quotes, and then lines without quotes or a lone CR, are split with the native
 * String.split, several times faster than a character loop; the rest take the full RFC 4180 path.
 */
export function readRecords(text: string, delimiter: Delimiter): CsvRecords {
  if (text.indexOf('"') < 0 && !hasLoneCarriageReturn(text)) return readUnquoted(text, delimiter);
  const records: string[][] = [];
  const lines: number[] = [];
  const delimiterCode = delimiter.charCodeAt(0);
  const length = text.length;
  let index = 0;
  let line = 1;
  // Next LF, quote and CR at or after `index`, cached so that finding them stays linear overall
  // (a file may have no quote, or only lone CRs, and must not be rescanned line after line).
  let nextLineFeed = -1;
  let nextQuote = -1;
  let nextCarriageReturn = -1;
  const nextOf = (character: string, cached: number): number => {
    if (cached >= index) return cached;
    const found = text.indexOf(character, index);
    return found < 0 ? length : found;
  };

  while (index < length) {
    const recordLine = line;
    nextLineFeed = nextOf('\n', nextLineFeed);
    const lineEnd = nextLineFeed;
    nextQuote = nextOf('"', nextQuote);
    nextCarriageReturn = nextOf('\r', nextCarriageReturn);
    if (nextQuote >= lineEnd && nextCarriageReturn >= lineEnd - 1) {
      const contentEnd = nextCarriageReturn === lineEnd - 1 ? lineEnd - 1 : lineEnd;
      if (contentEnd > index) {
        records.push(text.slice(index, contentEnd).split(delimiter));
        lines.push(recordLine);
      }
      index = lineEnd + 1;
      line++;
      continue;
    }

    const fields: string[] = [];
    let sawQuote = false;
    for (;;) {
      if (text.charCodeAt(index) === QUOTE) {
        sawQuote = true;
        const openAt = index;
        let value = '';
        let from = index + 1;
        for (;;) {
          const closeAt = text.indexOf('"', from);
          if (closeAt < 0) {
            return { records, lines, problem: { kind: 'unclosed-quote', line: recordLine, fieldIndex: fields.length, excerpt: excerptOf(text, openAt + 1) } };
          }
          value += text.slice(from, closeAt);
          if (text.charCodeAt(closeAt + 1) === QUOTE) {
            value += '"';
            from = closeAt + 2;
          } else {
            index = closeAt + 1;
            break;
          }
        }
        line += countLineBreaks(text, openAt, index);
        // Spaces after a closing quote are a common, harmless slip ("a" ,"b"); other text is not.
        let code = text.charCodeAt(index);
        while ((code === SPACE || code === TAB) && code !== delimiterCode) code = text.charCodeAt(++index);
        if (index < length && code !== delimiterCode && code !== LF && code !== CR) {
          let fieldEnd = index;
          while (fieldEnd < length && code !== delimiterCode && code !== LF && code !== CR) code = text.charCodeAt(++fieldEnd);
          const field = text.slice(openAt, fieldEnd);
          const excerpt = field.length > EXCERPT_CHARS ? `${field.slice(0, EXCERPT_CHARS)}...` : field;
          return { records, lines, problem: { kind: 'text-after-quote', line: recordLine, fieldIndex: fields.length, excerpt } };
        }
        fields.push(value);
      } else {
        let end = index;
        let code = text.charCodeAt(end);
        while (end < length && code !== delimiterCode && code !== LF && code !== CR) code = text.charCodeAt(++end);
        fields.push(text.slice(index, end));
        index = end;
      }
      if (index >= length) break;
      const code = text.charCodeAt(index);
      index++;
      if (code === delimiterCode) {
        if (index >= length) fields.push('');
        else continue;
        break;
      }
      if (code === CR && text.charCodeAt(index) === LF) index++;
      line++;
      break;
    }
    const blank = fields.length === 1 && fields[0] === '' && !sawQuote;
    if (!blank) {
      records.push(fields);
      lines.push(recordLine);
    }
  }
  return { records, lines, problem: null };
}
