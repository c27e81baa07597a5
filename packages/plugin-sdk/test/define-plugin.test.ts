import { describe, expect, it } from 'vitest';
import { type ActionContext, definePlugin, validateInput, validateInputSpec } from '../src/index.ts';

describe('definePlugin', () => {
  it('lists every problem of a malformed definition', () => {
    expect(() =>
      definePlugin({
        hooks: { account: { beforeSave() {} } as never, Bad: {} },
        actions: { 'do-it': { entity: 'account', input: { n: { type: 'float' } }, run: 1 } as never },
      }),
    ).toThrow(
      [
        'The plugin definition is not valid:',
        '  - hooks.account.beforeSave: unknown hook; hooks are beforeCreate, beforeUpdate, beforeDelete, afterCreate, afterUpdate, afterDelete',
        '  - hooks.Bad: is not an entity name',
        '  - actions.do-it: action names start with a lowercase letter, then letters and digits',
        '  - actions.do-it.run: must be a function',
        '  - actions.do-it.input.n.type: unknown type "float"',
      ].join('\n'),
    );
  });

  it('validates an action input before run sees it, refusing with field messages', () => {
    let ran = false;
    const plugin = definePlugin({
      actions: {
        tag: {
          entity: 'account',
          input: { tags: { type: 'list', items: { type: 'string', maxLength: 3 }, maxItems: 2 } },
          run: () => {
            ran = true;
            return 'ok';
          },
        },
      },
    });
    const refusals: unknown[] = [];
    const ctx = (input: unknown) =>
      ({
        input,
        reject(errors: unknown) {
          refusals.push(errors);
          throw new Error('rejected');
        },
      }) as unknown as ActionContext;
    expect(() => plugin.actions.tag!.run(ctx({ tags: ['abcd', 'x', 'y'] }))).toThrow('rejected');
    expect(refusals).toEqual([
      { tags: 'must have at most 2 items, got 3', 'tags[0]': 'must be at most 3 characters long, got 4' },
    ]);
    expect(() => plugin.actions.tag!.run(ctx('nope'))).toThrow('rejected');
    expect(refusals[1]).toBe('must be a mapping of input fields, got "nope"');
    expect(ran).toBe(false);
    expect(plugin.actions.tag!.run(ctx({ tags: ['a'] }))).toBe('ok');
  });
});

describe('input specs', () => {
  it('checks a spec', () => {
    expect(
      validateInputSpec({ a: { type: 'string', enum: [] }, b: { type: 'list', items: { type: 'list' } } }),
    ).toEqual([
      { path: 'input.a.enum', message: 'must be a non-empty list of texts' },
      {
        path: 'input.b.items.type',
        message: 'unknown type "list"',
        allowed: ['string', 'number', 'integer', 'boolean', 'id', 'date', 'datetime'],
      },
    ]);
  });

  it('checks values of every type', () => {
    const spec = {
      id: { type: 'id', required: true },
      day: { type: 'date' },
      at: { type: 'datetime' },
      n: { type: 'integer', maximum: 5 },
      ok: { type: 'boolean' },
    } as const;
    expect(validateInput(spec, { id: 'x', day: '2024-13', at: '2024-01-01T00:00:00Z', n: 6.5, ok: 'yes' })).toEqual([
      { path: 'input.id', message: 'must be a record id (UUID), got "x"' },
      { path: 'input.day', message: 'must be a date YYYY-MM-DD, got "2024-13"' },
      { path: 'input.n', message: 'must be a whole number, got 6.5' },
      { path: 'input.ok', message: 'must be true or false, got "yes"' },
    ]);
    expect(validateInput(spec, {})).toEqual([{ path: 'input.id', message: 'is required' }]);
  });
});
