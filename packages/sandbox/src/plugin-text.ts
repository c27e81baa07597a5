// Text a plugin wrote (an error it threw, a reason it gave to `ctx.reject`) reaches people through our
// error messages. It is the plugin's word, not Touchpoint's: it is shown marked as such, and made harmless
// first — one line, capped, without control or direction-changing characters, and without links, so a
// hostile plugin cannot pose as the product ("Your session expired. Log in again at https://…").

/** Longest plugin text kept in a message shown to people (the full text never leaves the server log). */
export const MAX_PLUGIN_TEXT = 300;
export const LINK_REMOVED = '[link removed]';

// Scheme URLs (https://, javascript:, data:, mailto:), `www.` hosts, and bare hosts with a path.
const LINKS =
  /\b(?:[a-z][a-z0-9+.-]*:\/\/\S*|(?:javascript|data|mailto|vbscript|file):\S*|www\.\S+|(?:[a-z0-9-]+\.)+[a-z]{2,}\/\S*)/gi;
// Controls (Cc), format characters (Cf: zero-width, bidirectional overrides and isolates), line separators.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

/** The plugin's text made safe to show: one line, no links, at most `max` characters. */
export function pluginText(text: string, max = MAX_PLUGIN_TEXT): string {
  const line = String(text)
    .slice(0, max * 4)
    .replace(INVISIBLE, ' ')
    .replace(LINKS, LINK_REMOVED)
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
