// Global search (SVC-1) and caller identification (SVC-6). Search is one UNION ALL statement over accounts,
// contacts, leads, cases and opportunities: text matches case-insensitive substrings (Chinese included:
// "华远" finds "济南华远数控设备有限公司") in names, numbers and e-mails; a phone-like text also matches phone
// fields by key (see phone.ts) or digits. Ranked: whole value 100, start of a value 70, anywhere 40.
// Every condition is written over exactly the value the engine indexes (the fields carry `substringSearch`
// in schemas/, see @touchpoint/schema text-search.ts), so a search reads index entries, not whole tables.
import { textBigrams, textBigramsSql } from '@touchpoint/schema';
import type { CrmModel } from './model.ts';
import { callerKeys, isPhoneLike, phoneDigits, phoneDigitsSql, phoneKey, phoneKeySql } from './phone.ts';
import { Checks, isoMillis, Params, type SqlRunner } from './sql.ts';

export const SEARCH_ENTITIES = ['account', 'contact', 'lead', 'case', 'opportunity'] as const;
export type SearchEntity = (typeof SEARCH_ENTITIES)[number];

interface SearchFields {
  /** Names: matched for any text except a phone number. */
  names: string[];
  /** Numbers, e-mails and handles, which may hold digits: matched for any text. */
  numbers: string[];
  phones: string[];
  subtitle: string;
}

const FIELDS: Record<SearchEntity, SearchFields> = {
  account: {
    names: ['name', 'website'],
    numbers: ['accountNumber', 'email', 'otherEmail', 'taxId'],
    phones: ['phone', 'otherPhone', 'fax'],
    subtitle: 'city',
  },
  contact: {
    names: ['firstName', 'lastName'],
    numbers: ['email', 'otherEmail', 'wechat', 'imHandle'],
    phones: ['mobile', 'phone', 'fax'],
    subtitle: 'title',
  },
  lead: {
    names: ['firstName', 'lastName', 'company'],
    numbers: ['leadNumber', 'email', 'wechat'],
    phones: ['mobile', 'phone'],
    subtitle: 'company',
  },
  case: { names: ['subject'], numbers: ['caseNumber', 'serialNumber'], phones: [], subtitle: 'subject' },
  opportunity: { names: ['name'], numbers: ['opportunityNumber'], phones: [], subtitle: 'stage' },
};

export interface SearchHit {
  entity: SearchEntity;
  id: string;
  title: string;
  subtitle: string | null;
  score: number;
}

export const SEARCH_DEFAULT_FIRST = 20;
export const SEARCH_MAX_FIRST = 100;

/** The entities search covers in this workspace. */
export function searchableEntities(m: CrmModel): SearchEntity[] {
  return SEARCH_ENTITIES.filter((e) => m.entity(e));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function search(
  m: CrmModel,
  sql: SqlRunner,
  request: { text: string; entities?: SearchEntity[] | null; first?: number | null },
): Promise<SearchHit[]> {
  const checks = new Checks();
  const text = typeof request.text === 'string' ? request.text.trim() : '';
  if (text.length === 0) checks.add('text', 'must contain something to search for');
  if (text.length > 200) checks.add('text', `must be at most 200 characters, got ${text.length}`);
  const available = searchableEntities(m);
  const entities = checks.list('entities', request.entities, available) ?? available;
  const first = checks.int('first', request.first, SEARCH_DEFAULT_FIRST, 1, SEARCH_MAX_FIRST);
  checks.done('The search request is not valid:');

  const p = new Params();
  // Placeholders are added when first used: a parameter no statement refers to has no type and fails.
  const lazy = (value: unknown, cast: string) => {
    let placeholder: string | undefined;
    return () => {
      placeholder ??= p.add(value, cast);
      return placeholder;
    };
  };
  const raw = lazy(text, 'text');
  const anywhereAnyCase = lazy(`%${escapeLike(text)}%`, 'text');
  const bigrams = textBigrams(text).length > 0;
  // A 2-character word (华远) has no trigram: the trigram index would return every row for PostgreSQL to
  // recheck (it chose that for contact names on the M dataset: 2.3 s), so then only the bigram index may
  // serve; the ILIKE is kept on a copy of the value no index holds, as the exact check.
  const trigramless = bigrams && [...text].length < 3;
  const exact = lazy(text.toLowerCase(), 'text');
  const prefix = lazy(`${escapeLike(text.toLowerCase())}%`, 'text');
  const anywhere = lazy(`%${escapeLike(text.toLowerCase())}%`, 'text');
  const phone = isPhoneLike(text);
  const key = lazy(phoneKey(text), 'text');
  const keyAnywhere = lazy(`%${phoneKey(text)}%`, 'text');
  const digitsAnywhere = lazy(`%${phoneDigits(text)}%`, 'text');
  // A whole number (10+ national digits) is looked up by key, as caller identification does: an index on
  // the key makes that a lookup; a shorter one is a fragment, found anywhere in the digits.
  const whole = phone && phoneKey(text).length >= 10;
  const keys = lazy(callerKeys(text), 'text[]');
  const tail = lazy(`%${callerKeys(text).at(-1)}`, 'text');
  const limit = lazy(first, 'int');

  const branches: string[] = [];
  for (const entity of entities) {
    const spec = FIELDS[entity];
    // A phone number is not looked for in names (nor in the title, usually a name): it saves most of the work.
    const fields = whole ? [] : phone ? spec.numbers : [...spec.names, ...spec.numbers];
    // The title too when it is a field of its own (a contact's full name: "王伟" is in neither name field).
    const titleField = m.entity(entity)?.titleField;
    if (!phone && titleField && !fields.includes(titleField)) fields.push(titleField);
    const values = fields.flatMap((f) => m.value('t', entity, f) ?? []);
    // Matched on the value itself, as the engine's substring indexes hold it (fields with `substringSearch`):
    // ILIKE is what the trigram index serves; the bigram condition narrows a 2-character CJK word.
    const matches = values.map(
      (v) =>
        `(${trigramless ? `(${v} || '')` : v} ilike ${anywhereAnyCase()}${bigrams ? ` and ${textBigramsSql(v)} @> ${textBigramsSql(raw())}` : ''})`,
    );
    const scores = values.map((value) => {
      const v = `lower(${value})`;
      return `case when ${v} = ${exact()} then 100 when ${v} like ${prefix()} then 70 when ${v} like ${anywhere()} then 40 else 0 end`;
    });
    if (phone) {
      for (const f of spec.phones.filter((name) => m.field(entity, name))) {
        const column = m.col('t', entity, f);
        const digits = phoneDigitsSql(column);
        const k = phoneKeySql(column);
        if (whole) {
          matches.push(`(${digits} like ${tail()} and ${k} = any(${keys()}))`);
          scores.push(`case when ${k} = ${key()} then 100 when ${k} = any(${keys()}) then 70 else 0 end`);
          continue;
        }
        // The stored digits contain the national number whatever prefix they carry (+86, 0086, trunk 0).
        matches.push(`${digits} like ${keyAnywhere()}`, `${digits} like ${digitsAnywhere()}`);
        scores.push(
          `case when ${k} = ${key()} then 100 when ${k} like '%' || ${key()} then 70 when ${digits} like ${keyAnywhere()} or ${digits} like ${digitsAnywhere()} then 40 else 0 end`,
        );
      }
    }
    if (matches.length === 0) continue;
    const subtitle = m.field(entity, spec.subtitle) ? `${m.col('t', entity, spec.subtitle)}::text` : 'null';
    branches.push(`(select '${entity}'::text as entity, t.id, ${m.title('t', entity)} as title, ${subtitle} as subtitle,
    greatest(${scores.join(', ')}) as score, ${SEARCH_ENTITIES.indexOf(entity)} as rank
  from ${m.table(entity)} t where (${matches.join(' or ')})
  order by score desc, title, t.id limit ${limit()})`);
  }
  if (branches.length === 0) return [];
  const statement = `select coalesce(json_agg(json_build_object('entity', h.entity, 'id', h.id, 'title', h.title,
  'subtitle', h.subtitle, 'score', h.score) order by h.score desc, h.rank, h.title, h.id), '[]') as hits
from (select * from (${branches.join('\n  union all\n  ')}) u order by score desc, rank, title, id limit ${limit()}) h`;
  const [row] = await sql.query<{ hits: SearchHit[] }>(statement, p.values);
  return row!.hits;
}

export interface CallerMatch {
  entity: 'contact' | 'account' | 'lead';
  id: string;
  title: string;
  /** The phone field that matched, e.g. `mobile`. */
  field: string;
  /** The whole number matched (not only a stored local number the caller's number ends with). */
  exact: boolean;
  accountId: string | null;
  accountName: string | null;
  openCases: { id: string; caseNumber: string | null; subject: string; status: string | null; openedAt: string }[];
  latestTouchpoints: { id: string; occurredAt: string; channel: string; subject: string; direction: string | null }[];
}

const CALLER_ENTITIES = ['contact', 'account', 'lead'] as const;
export const CALLER_MAX_MATCHES = 20;

export async function whoIsCalling(
  m: CrmModel,
  sql: SqlRunner,
  request: { phone: string; touchpoints?: number | null },
): Promise<{ phone: string; matches: CallerMatch[] }> {
  const checks = new Checks();
  const phone = typeof request.phone === 'string' ? request.phone.trim() : '';
  if (!isPhoneLike(phone, 5)) {
    checks.add(
      'phone',
      `must be a phone number of at least 5 digits (digits, spaces, + ( ) - . /), got ${JSON.stringify(request.phone)}`,
    );
  }
  const touchpoints = checks.int('touchpoints', request.touchpoints, 5, 0, 50);
  checks.done('The caller lookup is not valid:');

  const p = new Params();
  const keys = callerKeys(phone);
  const full = p.add(keys[0], 'text');
  const candidates = p.add(keys, 'text[]');
  // The key comparison is what the engine's index on every phone field serves. The cheap necessary condition
  // (a matching number ends with the caller's last digits) only checks the few rows the index returns.
  const tail = p.add(`%${keys.at(-1)}`, 'text');
  const branches: string[] = [];
  for (const entity of CALLER_ENTITIES) {
    if (!m.entity(entity)) continue;
    const account =
      entity === 'account'
        ? 't.id'
        : entity === 'contact' && m.field('contact', 'account') && m.entity('account')
          ? // Through the scoped door: an account the caller cannot read (or a deleted one) is not named.
            `(select ca.id from ${m.table('account')} ca where ca.id = ${m.col('t', 'contact', 'account')})`
          : 'null::uuid';
    for (const f of FIELDS[entity].phones.filter((name) => m.field(entity, name))) {
      const k = phoneKeySql(m.col('t', entity, f));
      branches.push(`select '${entity}'::text as entity, t.id, ${m.title('t', entity)} as title, '${f}'::text as field,
    ${k} = ${full} as exact, ${account} as account_id, ${CALLER_ENTITIES.indexOf(entity)} as rank
  from ${m.table(entity)} t where ${phoneDigitsSql(m.col('t', entity, f))} like ${tail} and ${k} = any(${candidates})`);
    }
  }
  if (branches.length === 0) return { phone: keys[0]!, matches: [] };
  const cases = m.supports({ case: ['caseNumber', 'subject', 'status', 'openedAt', 'account', 'contact'] });
  const interactions = m.supports({
    interaction: ['occurredAt', 'channel', 'subject', 'direction', 'account', 'contact', 'lead'],
  });
  const closed = p.add(['resolved', 'closed'], 'text[]');
  const lastN = p.add(touchpoints, 'int');
  const openCases = cases
    ? `(select coalesce(json_agg(json_build_object('id', k.id, 'caseNumber', ${m.col('k', 'case', 'caseNumber')}, 'subject', ${m.col('k', 'case', 'subject')},
        'status', ${m.col('k', 'case', 'status')}, 'openedAt', ${isoMillis(m.col('k', 'case', 'openedAt'))}) order by ${m.col('k', 'case', 'openedAt')} desc), '[]')
      from (select k.* from ${m.table('case')} k
        where not coalesce(${m.col('k', 'case', 'status')} = any(${closed}), false)
        and ((h.entity = 'contact' and ${m.col('k', 'case', 'contact')} = h.id) or ${m.col('k', 'case', 'account')} = h.account_id)
        order by ${m.col('k', 'case', 'openedAt')} desc limit 10) k)`
    : `'[]'::json`;
  const ic = (f: string) => m.col('i', 'interaction', f);
  // One subquery per kind of match, chosen by CASE, so each walks its own (link, occurredAt) index.
  const latestBy = (
    link: string,
  ) => `(select coalesce(json_agg(json_build_object('id', i.id, 'occurredAt', ${isoMillis(ic('occurredAt'))},
        'channel', ${ic('channel')}, 'subject', ${ic('subject')}, 'direction', ${ic('direction')}) order by ${ic('occurredAt')} desc, i.id desc), '[]')
      from (select i.* from ${m.table('interaction')} i where ${ic(link)} = h.id
        order by ${ic('occurredAt')} desc, i.id desc limit ${lastN}) i)`;
  const latest = interactions
    ? `case h.entity when 'contact' then ${latestBy('contact')} when 'account' then ${latestBy('account')} else ${latestBy('lead')} end`
    : `'[]'::json`;
  const accountName = m.entity('account')
    ? `(select ${m.title('a', 'account')} from ${m.table('account')} a where a.id = h.account_id)`
    : 'null';
  const statement = `select coalesce(json_agg(json_build_object('entity', h.entity, 'id', h.id, 'title', h.title, 'field', h.field,
  'exact', h.exact, 'accountId', h.account_id, 'accountName', ${accountName}, 'openCases', ${openCases},
  'latestTouchpoints', ${latest}) order by h.exact desc, h.rank, h.title, h.id), '[]') as matches
from (
  select * from (
    select distinct on (entity, id) * from (${branches.join('\n  union all\n  ')}) b order by entity, id, exact desc, field
  ) d order by exact desc, rank, title, id limit ${CALLER_MAX_MATCHES}
) h`;
  const [row] = await sql.query<{ matches: CallerMatch[] }>(statement, p.values);
  return { phone: keys[0]!, matches: row!.matches };
}
