import { DEFAULT_WORKSPACE } from '@touchpoint/engine';
import { BASELINE_SQL } from '../baseline.ts';
import { seed } from '../seed.ts';
import { startTouchpoint } from '../touchpoint.ts';

const tp = await startTouchpoint({ poolSize: 4 });
try {
  await seed(tp.engine, { accounts: 10000, via: 'sql' });
  const metadata = await tp.engine.metadata(DEFAULT_WORKSPACE);
  const st = metadata.compiler.compileList({
    entity: 'account',
    first: 50,
    selection: {
      fields: ['id', 'name'],
      relations: [
        {
          key: 'contacts',
          field: 'contacts',
          first: 5,
          selection: { fields: ['id', 'firstName', 'lastName', 'email'], relations: [] },
        },
      ],
    },
  }).statement;
  console.log(st.text, st.params);
  const pool = tp.engine.db.pool;
  await pool.query('set jit=off');
  for (let i = 0; i < 50; i++) {
    await pool.query(st.text, st.params);
    await pool.query(BASELINE_SQL.listWithContacts);
  }
  const ex = async (t: string, p: unknown[]) =>
    (await pool.query(`explain (analyze, buffers) ${t}`, p)).rows.map((r) => r['QUERY PLAN']).join('\n');
  console.log(await ex(st.text, st.params));
  console.log(await ex(BASELINE_SQL.listWithContacts, []));
  for (const [name, t, p] of [
    ['tp', st.text, st.params],
    ['base', BASELINE_SQL.listWithContacts, []],
  ] as const) {
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) await pool.query(t, p as unknown[]);
    console.log(name, ((performance.now() - t0) / 300).toFixed(3), 'ms');
  }
} finally {
  await tp.close();
}
