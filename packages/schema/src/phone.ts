// The phone field type's normalisation. Phone numbers are stored as typed ("+86 135-6411-7256",
// "0531-88886666"); they are compared by a key: the digits only, without the Chinese country code
// (+86 / 0086) and without the trunk prefix 0, i.e. the national number: "+86 135-6411-7256" and
// "13564117256" → 13564117256; "0531-88886666" and "+86 531 8888 6666" → 53188886666.
// The rule exists twice, in TypeScript and as a SQL expression; tests hold them to the same answers. The
// engine indexes `phoneKeySql(column)` for every phone field (see the field type's `indexes`), so a query
// that compares by exactly this expression is an index lookup.

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

/**
 * The key of a text column, as an immutable expression. Callers must use it verbatim (any column
 * qualification) for PostgreSQL to match it to the engine's expression index.
 */
export function phoneKeySql(column: string): string {
  return `regexp_replace(regexp_replace(regexp_replace(${column}, '[^0-9]', '', 'g'), '^(00)?86(0?[0-9]{10,11})$', '\\2'), '^0([0-9]{9,11})$', '\\1')`;
}

/**
 * Digits only, cheaply: a phone field holds digits and the separators `+ ( ) - . /` and space (the field
 * type refuses anything else), so translate() strips them without a regular expression.
 */
export function phoneDigitsSql(column: string): string {
  return `translate(${column}, '+-() ./', '')`;
}
