// Phone numbers in the CRM's lookups. The key itself (digits without +86 / 0086 and the trunk 0) belongs to the
// phone field type in @touchpoint/schema, which is also what the engine indexes for every phone field: the
// lookups here compare by exactly `phoneKeySql(column)`, so they are index scans.
import { phoneDigits, phoneDigitsSql, phoneKey, phoneKeySql } from '@touchpoint/schema';

export { phoneDigits, phoneDigitsSql, phoneKey, phoneKeySql };

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
