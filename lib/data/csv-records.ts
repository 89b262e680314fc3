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
  /** The start of the offending text, for the message. */
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

function excerptOf(text: string, start: number): string {
  const excerpt = text.slice(start, start + 24).split(/\r\n|\r|\n/)[0]!;
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

export function readRecords(text: string, delimiter: Delimiter): CsvRecords {
  const records: string[][] = [];
  const lines: number[] = [];
  const delimiterCode = delimiter.charCodeAt(0);
  const length = text.length;
  let index = 0;
  let line = 1;
  while (index < length) {
    const recordLine = line;
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
          return { records, lines, problem: { kind: 'text-after-quote', line: recordLine, fieldIndex: fields.length, excerpt: excerptOf(text, openAt) } };
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
