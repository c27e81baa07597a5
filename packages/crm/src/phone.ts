// Phone numbers are stored as typed ("+86 135-6411-7256", "0531-88886666"); they are compared by a key:
// the digits only, without the Chinese country code (+86 / 0086) and without the trunk prefix 0, i.e. the
// national number: "+86 135-6411-7256" and "13564117256" → 13564117256; "0531-88886666" and
// "+86 531 8888 6666" → 53188886666. The same rule exists twice, in TypeScript and as a SQL expression,
// and both are tested against each other. An expression index on `phoneKeySql(column)` makes lookups
// index scans (see the README for the DDL).

export function phoneDigits(text: string): string {
  return text.replace(/\D/g, '');
}

export function phoneKey(text: string): string {
  let digits = phoneDigits(text);
  const international = /^(?:00)?86(0?\d{10,11})$/.exec(digits);
  if (international) digits = international[1]!;
  const trunk = /^0(\d{9,11})$/.exec(digits);
  if (trunk) digits = trunk[1]!;
  return digits;
}

/** The key of a text column, as an immutable expression (usable in an expression index). */
export function phoneKeySql(column: string): string {
  return `regexp_replace(regexp_replace(regexp_replace(${column}, '[^0-9]', '', 'g'), '^(00)?86(0?[0-9]{10,11})$', '\\2'), '^0([0-9]{9,11})$', '\\1')`;
}

/**
 * Digits only, cheaply: a phone field holds digits and the separators `+ ( ) - . /` and space (the field
 * type refuses anything else), so translate() strips them without a regular expression. Search compares
 * these digits first and computes the key only for the rows that pass.
 */
export function phoneDigitsSql(column: string): string {
  return `translate(${column}, '+-() ./', '')`;
}

/** Looks like a phone number: only digits and separators, with at least `minDigits` digits. */
export function isPhoneLike(text: string, minDigits = 4): boolean {
  return /^[+\d\s().\-/]+$/.test(text) && phoneDigits(text).length >= minDigits;
}

/** Shortest stored number a caller's number may end with to count as the same line (a local number). */
export const MIN_SUFFIX_DIGITS = 7;

/** The caller's key and its suffixes down to MIN_SUFFIX_DIGITS: stored numbers with any of these keys match. */
export function callerKeys(text: string): string[] {
  const key = phoneKey(text);
  const keys = [key];
  for (let length = key.length - 1; length >= MIN_SUFFIX_DIGITS; length--) keys.push(key.slice(-length));
  return keys;
}
