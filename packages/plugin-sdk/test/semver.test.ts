import { describe, expect, it } from 'vitest';
import { compareVersions, isVersion, isVersionRange, parseVersion, satisfies } from '../src/index.ts';

describe('semver', () => {
  it.each([
    ['1.2.3', '^1.0.0', true],
    ['2.0.0', '^1.0.0', false],
    ['0.2.5', '^0.2.0', true],
    ['0.3.0', '^0.2.0', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2', false],
    ['0.5.0', '>=0.1.0 <1.0.0', true],
    ['1.0.0', '>=0.1.0 <1.0.0', false],
    ['1.9.9', '1.x', true],
    ['2.0.0', '1', false],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['1.5.0', '1.0.0 - 2.0.0', true],
    ['7.0.0', '*', true],
    ['1.2.0', '>1.1', true],
    ['1.1.5', '>1.1', false],
    ['1.1.5', '<=1.1', true],
    ['2.0.0-beta.1', '^1.0.0', false],
    ['2.0.0-beta.2', '>=2.0.0-beta.1 <3.0.0', true],
    ['2.0.0-alpha', '>=2.0.0-beta.1', false],
  ])('%s in %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it('parses and orders versions as semver does', () => {
    expect(parseVersion('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', 1] });
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    const parsed = order.map((v) => parseVersion(v)!);
    for (let i = 1; i < parsed.length; i++) expect(compareVersions(parsed[i - 1]!, parsed[i]!)).toBe(-1);
    expect(isVersion('01.0.0')).toBe(false);
    expect(isVersion('1.0')).toBe(false);
    expect(isVersionRange('>=1 <2')).toBe(true);
    expect(isVersionRange('soon')).toBe(false);
    expect(isVersionRange('')).toBe(false);
  });
});
