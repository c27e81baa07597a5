import { describe, expect, it } from 'vitest';
import { referencedColumns } from './selection.ts';

describe('referencedColumns', () => {
  it('reads quoted and bare references of one alias only, always with id, never sort keys', () => {
    const sql = `json_build_object('a', tp1."first_name", 'b', tp12."other", 'c', (select 1 from x tp2 where tp2.ref = tp1.id),
      'd', tp1."we""ird", 'e', xtp1."nope", 'f', tp1."__k0", 'g', "tp1"."quoted_alias_is_not_ours")`;
    expect(referencedColumns('tp1', sql).sort()).toEqual(['first_name', 'id', 'we"ird'].sort());
  });
});
