// The audit log screen's filter comes from its URL: days in the browser's time zone, `until` up to the end of
// its day (the API's `to` is exclusive), anything malformed left out rather than sent.
import { describe, expect, it } from 'vitest';
import { filterFromUrl } from './audit.ts';
import { accountMessages } from './i18n-account.ts';

describe('filterFromUrl', () => {
  it('turns a day range into local midnights, the end exclusive at the next one', () => {
    const { filter, days } = filterFromUrl(new URLSearchParams('from=2026-03-01&until=2026-03-31&actor=u1'));
    expect(filter.from).toBe(new Date(2026, 2, 1).toISOString());
    expect(filter.to).toBe(new Date(2026, 3, 1).toISOString());
    expect(filter.actor).toBe('u1');
    expect(days).toEqual({ from: '2026-03-01', until: '2026-03-31' });
  });

  it('leaves out malformed days and empty values', () => {
    const { filter, days } = filterFromUrl(new URLSearchParams('from=yesterday&until=2026-13&entity=&channel=web'));
    expect(filter).toEqual({ channel: 'web' });
    expect(days).toEqual({ from: '', until: '' });
  });
});

describe('account words', () => {
  it('has every English word in Chinese too, none left empty', () => {
    const en = accountMessages('en');
    const zh = accountMessages('zh-CN');
    const keys = (o: object): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v).map((c) => `${k}.${c}`) : [k]));
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    const values = (o: object): unknown[] =>
      Object.values(o).flatMap((v) => (typeof v === 'object' && v !== null ? values(v) : [v]));
    for (const value of values(zh)) expect(String(value).trim()).not.toBe('');
  });
});
