import { startTouchpoint } from './touchpoint.ts';
import { seed } from './seed.ts';
const tp = await startTouchpoint({ poolSize: 16 });
try {
  const via = (process.argv[2] ?? 'records') as 'records' | 'sql';
  const n = Number(process.argv[3] ?? 2000);
  const d = await seed(tp.engine, { accounts: n, via });
  console.log(via, n, Math.round(d.ms), 'ms', d.contacts);
  console.log(await tp.engine.db.query('select industry, count(*) from ws_default.account group by 1 order by 1'));
  console.log(await tp.engine.db.query('select * from ws_default.account limit 1'));
  console.log(await tp.engine.db.query('select * from ws_default.contact limit 1'));
} finally { await tp.close(); }
