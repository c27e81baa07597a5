import { BASELINE_SQL } from '../baseline.ts';
import { QUERIES } from '../scenarios.ts';
import { seed } from '../seed.ts';
import { startTouchpoint } from '../touchpoint.ts';

const tp = await startTouchpoint({ poolSize: 4 });
try {
  await seed(tp.engine, { accounts: 10000, via: 'sql' });
  const r = await fetch(`${tp.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERIES.listWithContacts }),
  });
  const text = await r.text();
  console.log([...r.headers].join('\n'));
  console.log('tp bytes', text.length, text.slice(0, 400));
  const b = await tp.engine.db.pool.query(
    BASELINE_SQL.listWithContacts.replace('as data', 'as data').replace(/^select coalesce/, 'select coalesce'),
  );
  console.log('baseline json bytes', JSON.stringify(b.rows[0].data).length);
} finally {
  await tp.close();
}
