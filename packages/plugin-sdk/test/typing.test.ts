import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineAction, definePlugin, type InputOf, type InputValue } from '../src/index.ts';

describe('definePlugin typing', () => {
  it('types an action input from its spec with defineAction', () => {
    const plugin = definePlugin({
      actions: {
        registerAssets: defineAction({
          entity: 'account',
          input: {
            count: { type: 'integer', required: true, minimum: 1 },
            kind: { type: 'string', enum: ['laptop', 'phone'] },
            tags: { type: 'list', items: { type: 'string' } },
          },
          run(ctx) {
            expectTypeOf(ctx.input.count).toEqualTypeOf<number>();
            expectTypeOf(ctx.input.kind).toEqualTypeOf<'laptop' | 'phone' | null | undefined>();
            expectTypeOf(ctx.input.tags).toEqualTypeOf<string[] | null | undefined>();
            return { registered: ctx.input.count };
          },
        }),
        untyped: {
          entity: 'account',
          input: {},
          run(ctx) {
            expectTypeOf(ctx.input['anything']).toEqualTypeOf<InputValue | undefined>();
          },
        },
      },
    });
    expect(Object.keys(plugin.actions)).toEqual(['registerAssets', 'untyped']);
    expectTypeOf<InputOf<{ a: { type: 'boolean'; required: true } }>>().toEqualTypeOf<{ a: boolean }>();
  });
});
