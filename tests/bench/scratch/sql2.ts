import { readFileSync } from 'node:fs';
import { DEFAULT_WORKSPACE } from '@touchpoint/engine';
import pg from 'pg';
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
  const client = new pg.Client({ connectionString: tp.database.url, options: '-c jit=off' });
  await client.connect();
  const pid = (await client.query('select pg_backend_pid() as p')).rows[0].p;
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Number(x[11]) + Number(x[12]);
  };
  const inline = (t: string, p: unknown[]) => t.replace(/\$(\d+)::integer/g, (_, i) => String(p[Number(i) - 1]));
  const noCursor = st.text.replace(/, '__cursor', replace\(.*?chr\(10\), ''\)\)/, ')');
  const variants: [string, string, unknown[]][] = [
    ['tp', st.text, st.params],
    ['tp inline', inline(st.text, st.params), []],
    ['tp nocursor', noCursor, st.params],
    ['tp nocursor text', noCursor.replace(' as nodes from', '::text as nodes from'), st.params],
    ['base', BASELINE_SQL.listWithContacts, []],
    ['base text', BASELINE_SQL.listWithContacts.replace("'[]'::json) as data\n", "'[]'::json)::text as data\n"), []],
  ];
  const res: Record<string, { ms: number; cpu: number }> = {};
  for (let round = 0; round < 4; round++)
    for (const [name, t, p] of variants) {
      for (let i = 0; i < 50; i++) await client.query(t, p);
      const t0 = performance.now();
      const c0 = ticks();
      for (let i = 0; i < 400; i++) await client.query(t, p);
      const r = (res[name] ??= { ms: 0, cpu: 0 });
      r.ms += (performance.now() - t0) / 400 / 4;
      r.cpu += ((ticks() - c0) * 10) / 400 / 4;
    }
  for (const [n, r] of Object.entries(res))
    console.log(n.padEnd(20), r.ms.toFixed(3), 'ms wall', r.cpu.toFixed(3), 'ms PG cpu');
  console.log(noCursor.length, st.text.length);
  await client.end();
} finally {
  await tp.close();
}
