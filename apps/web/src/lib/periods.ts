// Report periods the dashboard offers, as the API's CrmReportFilter window (from/to, whole days in UTC).
import type { Lang } from './api.ts';

export const PERIODS = ['all', 'thisQuarter', 'thisYear', 'lastYear', 'last12Months'] as const;

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** The report window of a named period, in whole days (UTC). */
export function windowOf(period: string, today = new Date()): { from?: string; to?: string } {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  switch (period) {
    case 'thisQuarter':
      return { from: iso(new Date(Date.UTC(y, m - (m % 3), 1))), to: iso(new Date(Date.UTC(y, m - (m % 3) + 3, 0))) };
    case 'thisYear':
      return { from: `${y}-01-01`, to: `${y}-12-31` };
    case 'lastYear':
      return { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` };
    case 'last12Months':
      return { from: iso(new Date(Date.UTC(y - 1, m, today.getUTCDate() + 1))), to: iso(today) };
    default:
      return {};
  }
}

const NAMES: Record<(typeof PERIODS)[number], [string, string]> = {
  all: ['All time', '全部时间'],
  thisQuarter: ['This quarter', '本季度'],
  thisYear: ['This year', '今年'],
  lastYear: ['Last year', '去年'],
  last12Months: ['Last 12 months', '最近 12 个月'],
};

export function periodLabel(period: (typeof PERIODS)[number], lang: Lang): string {
  return NAMES[period][lang === 'zh-CN' ? 1 : 0];
}
