/**
 * Strict reading of numeric cells. `Number()` alone accepts "0x1A", "Infinity" and " 12 ", and
 * `parseFloat` accepts "12abc"; a data file should hold plain decimals, so the text is checked by
 * a single linear scan first (no regular expression, no backtracking).
 */

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const COMMA = 44;
const LOWER_E = 101;
const UPPER_E = 69;

/** Cell texts that mean "no value" (compared in lower case): what pandas, R and Excel write. */
const missingMarkers = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a']);

export function isMissingCell(text: string): boolean {
  return text.length === 0 || (text.length <= 4 && missingMarkers.has(text.toLowerCase()));
}

/**
 * The value of a plain decimal such as `12.5`, `-3`, `.5`, `1e-3`; NaN for anything else. With
 * `decimalComma` (files separated by ";"), `12,5` is read as 12.5 too.
 */
export function readNumber(text: string, decimalComma = false): number {
  // Fast path: besides plain decimals, Number() only accepts surrounding white space, Infinity
  // (not finite) and 0x / 0o / 0b literals (second character a letter), so a finite result from
  // ASCII text that starts and ends with a digit or "." is a plain decimal.
  const length = text.length;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(length - 1);
  if (((first >= DIGIT_0 && first <= DIGIT_9) || first === MINUS || first === DOT) && ((last >= DIGIT_0 && last <= DIGIT_9) || last === DOT)) {
    const second = text.charCodeAt(1);
    if (!(second > DIGIT_9)) {
      const value = Number(text);
      if (Number.isFinite(value)) return value;
    }
  }
  return readNumberStrictly(text, decimalComma);
}

function readNumberStrictly(text: string, decimalComma: boolean): number {
  const length = text.length;
  let index = 0;
  let code = text.charCodeAt(0);
  if (code === PLUS || code === MINUS) code = text.charCodeAt(++index);
  let digits = 0;
  while (code >= DIGIT_0 && code <= DIGIT_9) {
    digits++;
    code = text.charCodeAt(++index);
  }
  let commaAt = -1;
  if (code === DOT || (decimalComma && code === COMMA)) {
    if (code === COMMA) commaAt = index;
    code = text.charCodeAt(++index);
    while (code >= DIGIT_0 && code <= DIGIT_9) {
      digits++;
      code = text.charCodeAt(++index);
    }
  }
  if (digits === 0) return Number.NaN;
  if (code === LOWER_E || code === UPPER_E) {
    code = text.charCodeAt(++index);
    if (code === PLUS || code === MINUS) code = text.charCodeAt(++index);
    let exponentDigits = 0;
    while (code >= DIGIT_0 && code <= DIGIT_9) {
      exponentDigits++;
      code = text.charCodeAt(++index);
    }
    if (exponentDigits === 0) return Number.NaN;
  }
  if (index !== length) return Number.NaN;
  const value = Number(commaAt < 0 ? text : `${text.slice(0, commaAt)}.${text.slice(commaAt + 1)}`);
  // 1e999 is a plain decimal by shape but overflows to Infinity, which no model can use.
  return Number.isFinite(value) ? value : Number.NaN;
}
