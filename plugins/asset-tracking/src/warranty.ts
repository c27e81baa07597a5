// Warranty arithmetic on calendar days (`YYYY-MM-DD`, UTC), shared by the hooks and the actions.

/** The calendar day of a date or an instant (`2026-03-01T09:30:00Z` → `2026-03-01`), or null. */
export function dayOf(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString().slice(0, 10);
}

/** The last day of a warranty of `months` starting on `start`: 2026-01-15 + 12 months → 2027-01-14. */
export function warrantyEnd(start: string, months: number): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  target.setUTCDate(target.getUTCDate() - 1);
  return target.toISOString().slice(0, 10);
}

/** Whether the warranty covers `day`; an open start counts as covered from the beginning. */
export function covers(warranty: { warrantyStart?: unknown; warrantyEnd?: unknown }, day: string): boolean {
  const start = dayOf(warranty.warrantyStart);
  const end = dayOf(warranty.warrantyEnd);
  if (!end) return false;
  return (!start || start <= day) && day <= end;
}

/** The day after `day`. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}
