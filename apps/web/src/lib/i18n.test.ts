// Counts in the screens' words follow each language's plural rules and format their numbers.
import { describe, expect, it } from 'vitest';
import { fill, messages, plural } from './i18n.ts';

describe('counts', () => {
  it('says "1 record", never "1 records", and groups thousands', () => {
    expect(plural('en', 1, messages('en').records)).toBe('1 record');
    expect(plural('en', 0, messages('en').records)).toBe('0 records');
    expect(plural('en', 1234, messages('en').records)).toBe('1,234 records');
    expect(plural('zh-CN', 1, messages('zh-CN').records)).toBe('1 条记录');
    expect(plural('zh-CN', 1234, messages('zh-CN').records)).toBe('1,234 条记录');
    expect(plural('en', 1, messages('en').touchpointsMoved)).toBe('1 touchpoint moved');
  });

  it('reads a page as "1–50 of 1,234" and "第 1–50 条，共 1,234 条"', () => {
    expect(fill('en', messages('en').range, { from: 1, to: 50, total: 1234 })).toBe('1–50 of 1,234');
    expect(fill('zh-CN', messages('zh-CN').range, { from: 1, to: 50, total: 1234 })).toBe('第 1–50 条，共 1,234 条');
  });
});
