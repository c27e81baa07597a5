// The filter every report takes: a date range (UTC days, both ends included), an owner or a team (the
// owner's team), and the currency amounts are added up in (amounts in other currencies are left out, never
// converted).
import type { CrmModel } from './model.ts';
import { type Checks, dayStart, type Params } from './sql.ts';

export interface ReportFilter {
  from?: string | null;
  to?: string | null;
  ownerId?: string | null;
  teamId?: string | null;
  currency?: string | null;
}

export interface CheckedFilter {
  from?: string;
  to?: string;
  ownerId?: string;
  teamId?: string;
  currency: string;
}

export const DEFAULT_CURRENCY = 'CNY';

export function checkFilter(m: CrmModel, checks: Checks, filter: ReportFilter | null | undefined): CheckedFilter {
  const f = filter ?? {};
  const from = checks.date('filter.from', f.from);
  const to = checks.date('filter.to', f.to);
  if (from && to && from > to) checks.add('filter.to', `must not be before filter.from (${from})`);
  const ownerId = checks.id('filter.ownerId', f.ownerId);
  const teamId = checks.id('filter.teamId', f.teamId);
  if (teamId && !m.field('user', 'team')) checks.add('filter.teamId', 'this workspace has no user.team field');
  const currency = f.currency ?? DEFAULT_CURRENCY;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    checks.add('filter.currency', `must be an ISO 4217 code such as CNY, got ${JSON.stringify(currency)}`);
  }
  return { from, to, ownerId, teamId, currency };
}

/** Conditions on an instant (timestamptz) column: inside the range's days. */
export function instantInRange(p: Params, column: string, f: CheckedFilter): string[] {
  const parts: string[] = [];
  if (f.from) parts.push(`${column} >= ${dayStart(p.add(f.from, 'date'))}`);
  if (f.to) parts.push(`${column} < ${dayStart(`(${p.add(f.to, 'date')} + 1)`)}`);
  return parts;
}

/** Conditions on a date column: inside the range. */
export function dateInRange(p: Params, column: string, f: CheckedFilter): string[] {
  const parts: string[] = [];
  if (f.from) parts.push(`${column} >= ${p.add(f.from, 'date')}`);
  if (f.to) parts.push(`${column} <= ${p.add(f.to, 'date')}`);
  return parts;
}

/** Conditions on the record's owner: the owner itself and/or the owner's team. */
export function ownedBy(m: CrmModel, p: Params, ownerColumn: string, f: CheckedFilter): string[] {
  const parts: string[] = [];
  if (f.ownerId) parts.push(`${ownerColumn} = ${p.add(f.ownerId, 'uuid')}`);
  if (f.teamId) {
    parts.push(
      `exists (select 1 from ${m.table('user')} tu where tu.id = ${ownerColumn} and ${m.col('tu', 'user', 'team')} = ${p.add(f.teamId, 'uuid')})`,
    );
  }
  return parts;
}

export function where(parts: string[]): string {
  return parts.length === 0 ? 'true' : parts.join(' and ');
}
