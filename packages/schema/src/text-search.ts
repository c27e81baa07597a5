// Substring search, as the field types index it and queries must write it. A field with `substringSearch`
// gets two GIN indexes over its value (see the field types' `indexes`):
//  - trigrams (pg_trgm, `gin_trgm_ops`) on the value itself: serve `value ILIKE '%text%'` for a text of 3 or
//    more characters, Chinese included (pg_trgm treats CJK characters as word characters under a UTF-8
//    locale);
//  - bigrams on `textBigramsSql(value)`: the value's 2-character pieces that contain a non-ASCII character.
//    pg_trgm cannot narrow a 2-character pattern at all, yet `华远` is a complete, selective word in Chinese;
//    `textBigramsSql(value) @> textBigramsSql(text)` finds it. ASCII-only pieces are left out: a 2-letter
//    Latin text matches a large share of any table, so an index would not save the scan, only cost space.
// The ILIKE condition is always written too: the indexes narrow, ILIKE decides (and is all that is left
// when the database has no pg_trgm, which makes the search a scan, still correct).

/** The function behind the bigram index; the engine creates it in its own schema. */
export const TEXT_BIGRAMS_FUNCTION = 'touchpoint.text_bigrams';

/** The bigram array of a text value, as indexed and as queries must write it. */
export function textBigramsSql(value: string): string {
  return `${TEXT_BIGRAMS_FUNCTION}(${value})`;
}

/** The 2-character pieces of `text` the bigram index knows (lower-cased, with a non-ASCII character). */
export function textBigrams(text: string): string[] {
  const chars = [...text.toLowerCase()];
  const pieces = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) {
    const piece = chars[i]! + chars[i + 1]!;
    if (chars[i]!.codePointAt(0)! > 0x7f || chars[i + 1]!.codePointAt(0)! > 0x7f) pieces.add(piece);
  }
  return [...pieces];
}

/** The shortest text trigrams narrow; shorter texts rely on bigrams, or scan. */
export const TRIGRAM_MIN_LENGTH = 3;
