// What substring search needs from the database, set up once per database at start: the pg_trgm extension
// (GIN trigram indexes; PGlite loads it too, see db.ts) and the bigram function the schema package's
// `textBigramsSql` calls (see @touchpoint/schema text-search.ts for the design). Without pg_trgm (a server
// that lacks it, or a role that may not create it) the planner leaves the trigram indexes out and search
// scans — slower, still correct.
import { TEXT_BIGRAMS_FUNCTION } from '@touchpoint/schema';
import type { Database } from './db.ts';
import { ident } from './physical.ts';

export interface TextSearchSupport {
  /** The pg_trgm operator class for GIN, schema-qualified (`"public".gin_trgm_ops`), or null without pg_trgm. */
  trigramOpclass: string | null;
  /** Whether the bigram function exists. */
  bigrams: boolean;
}

// Immutable and strict, so it can be indexed. PL/pgSQL with an early return for ASCII-only values (most
// e-mails, numbers, Latin names): about 1 µs a call for those and 10 µs for a Chinese name, against 10 and
// 15 µs for the same in one SQL statement; every insert and update of a searched field pays it. What it
// returns is a contract: a change needs a new function name (and the field types' expressions move with it).
const BIGRAMS_DDL = `create function ${TEXT_BIGRAMS_FUNCTION}(value text) returns text[]
  language plpgsql immutable strict parallel safe
  as $$
declare
  lowered text;
  piece text;
  pieces text[] := '{}';
begin
  if value !~ '[^\x01-\x7f]' then
    return pieces;
  end if;
  lowered := lower(value);
  for i in 1 .. char_length(lowered) - 1 loop
    piece := substr(lowered, i, 2);
    if piece ~ '[^\x01-\x7f]' and not piece = any(pieces) then
      pieces := pieces || piece;
    end if;
  end loop;
  return pieces;
end $$`;

export async function ensureTextSearch(db: Database): Promise<TextSearchSupport> {
  let trigramOpclass: string | null = null;
  try {
    await db.query('create extension if not exists pg_trgm');
  } catch (error) {
    console.warn(`touchpoint: pg_trgm is not available, so substring search scans: ${(error as Error).message}`);
  }
  const [trgm] = await db.query<{ schema: string }>(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
  );
  if (trgm) trigramOpclass = `${ident(trgm.schema)}.gin_trgm_ops`;
  const [exists] = await db.query<{ found: boolean }>(`select to_regprocedure($1) is not null as found`, [
    `${TEXT_BIGRAMS_FUNCTION}(text)`,
  ]);
  if (!exists?.found) {
    try {
      await db.query(BIGRAMS_DDL);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if ((error as { code?: string }).code !== '42723') throw error;
    }
  }
  return { trigramOpclass, bigrams: true };
}
