// One sandbox process per workspace: a hostile plugin in workspace A that gets its process killed costs the
// plugins of workspace B nothing — not their calls in flight, not their warm isolates, not their process.
import { TouchpointError } from '@touchpoint/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureSandboxProcess,
  type HostApi,
  PluginHost,
  sandboxProcesses,
  sandboxProcessInfo,
  stopSandboxProcess,
} from '../src/index.ts';
import { bundle, IMPORT, removePluginDirs } from './fixtures.ts';

/** Host calls that wait until the test opens the gate: a call of B is in flight as long as the test wants. */
let gate: Promise<void> = Promise.resolve();
let open: () => void = () => {};
function closeGate(): void {
  gate = new Promise((resolve) => {
    open = resolve;
  });
}
let waiting = 0;
const hostApi: HostApi = {
  records: {
    async get(_call, _entity, id) {
      waiting++;
      await gate;
      waiting--;
      return { id, name: 'Acme' };
    },
    async list() {
      return { records: [], hasNextPage: false, endCursor: null };
    },
    async create() {
      throw new TouchpointError('FORBIDDEN', 'not in this test');
    },
    async update() {
      throw new TouchpointError('FORBIDDEN', 'not in this test');
    },
  },
};

const ACCOUNT = '00000000-0000-4000-8000-00000000000a';
const host = new PluginHost({ hostApi, limits: { cpuTimeMs: 200, wallTimeMs: 10_000 } });
const SLOW = `${IMPORT}export default definePlugin({ hooks: { account: { async beforeCreate(ctx) {
  const account = await ctx.host.records.get('account', '${ACCOUNT}');
  ctx.values.seen = account.name;
} } } });`;
const HOSTILE = `${IMPORT}export default definePlugin({ hooks: { account: { async beforeCreate(ctx) {
  if (ctx.values.name === 'boom') new Array(2 ** 27).fill(1);
} } } });`;

const create = (plugin: string, workspace: string, name = 'x') =>
  host.runHook(plugin, workspace, 'account', 'beforeCreate', { values: { name } });

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  const [slow, hostile] = await Promise.all([bundle(SLOW), bundle(HOSTILE)]);
  const grants = { records: { account: ['read' as const] } };
  for (const workspace of ['ws-a', 'ws-b']) {
    await host.load({ manifest: { id: 'good.slow', version: '1.0.0' }, bundle: slow, workspace, grants });
  }
  await host.load({ manifest: { id: 'evil.alloc', version: '1.0.0' }, bundle: hostile, workspace: 'ws-a' });
});

afterAll(() => {
  open();
  host.close();
  removePluginDirs();
});

describe('a sandbox process per workspace', () => {
  it('runs each workspace in a process of its own', async () => {
    await Promise.all([create('good.slow', 'ws-a'), create('good.slow', 'ws-b')]);
    const a = sandboxProcessInfo('ws-a');
    const b = sandboxProcessInfo('ws-b');
    expect(a?.pid).toBeGreaterThan(0);
    expect(b?.pid).toBeGreaterThan(0);
    expect(a!.pid).not.toBe(b!.pid);
    expect(a!.workspaces).toEqual(['ws-a']);
    expect(b!.workspaces).toEqual(['ws-b']);
    // The probe of an archive being installed runs beside its workspace's plugins, not in a process of its own.
    expect(sandboxProcessInfo('~probe:ws-a')?.pid).toBe(a!.pid);
  });

  it("a hostile plugin in A that gets A's process killed does not fail B's call in flight", async () => {
    const b = sandboxProcessInfo('ws-b')!;
    const a = sandboxProcessInfo('ws-a')!;
    closeGate();
    // B's call and A's well-behaved call are in flight, waiting on their host call.
    const inB = create('good.slow', 'ws-b');
    const inA = create('good.slow', 'ws-a').then(
      () => undefined,
      (error: TouchpointError) => error,
    );
    await until(() => waiting === 2, 5_000);
    // A's hostile plugin allocates what V8 cannot stop: its isolate is disposed, and when the process cannot
    // confirm it stopped, the process is killed (3 s).
    const boom = await create('evil.alloc', 'ws-a', 'boom').then(
      () => undefined,
      (error: TouchpointError) => error,
    );
    expect(boom).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { plugin: 'evil.alloc' } });
    await until(() => sandboxProcessInfo('ws-a')?.pid !== a.pid, 6_000);
    open();
    // A's process was the one killed: its call in flight failed, saying so.
    expect(await inA).toMatchObject({ code: 'PLUGIN_FAILED', details: { workspace: 'ws-a' } });
    // B's call went on in B's process, which never stopped.
    expect(await inB).toEqual({ values: { name: 'x', seen: 'Acme' } });
    expect(sandboxProcessInfo('ws-b')?.pid).toBe(b.pid);
    expect(host.metrics({ plugin: 'good.slow', workspace: 'ws-b' })[0]).toMatchObject({ errors: 0, coldStarts: 1 });
    // A comes back in a new process on its next call.
    expect(await create('good.slow', 'ws-a')).toEqual({ values: { name: 'x', seen: 'Acme' } });
  });

  it("killing A's process by hand (stopSandboxProcess) leaves B's call in flight alone", async () => {
    const b = sandboxProcessInfo('ws-b')!;
    closeGate();
    const inB = create('good.slow', 'ws-b');
    const inA = create('good.slow', 'ws-a').then(
      () => undefined,
      (error: TouchpointError) => error,
    );
    await until(() => waiting === 2, 5_000);
    stopSandboxProcess('ws-a');
    open();
    expect(await inA).toMatchObject({ code: 'PLUGIN_FAILED', details: { workspace: 'ws-a' } });
    expect(await inB).toEqual({ values: { name: 'x', seen: 'Acme' } });
    expect(sandboxProcessInfo('ws-b')?.pid).toBe(b.pid);
  });

  it('shares processes past maxProcesses, and a process with no isolate left exits', async () => {
    configureSandboxProcess({ maxProcesses: 2, idleProcessMs: 100 });
    try {
      await create('good.slow', 'ws-a');
      await create('good.slow', 'ws-b');
      const slow = await bundle(SLOW);
      await host.load({
        manifest: { id: 'good.slow', version: '1.0.0' },
        bundle: slow,
        workspace: 'ws-c',
        grants: { records: { account: ['read'] } },
      });
      expect(await create('good.slow', 'ws-c')).toEqual({ values: { name: 'x', seen: 'Acme' } });
      expect(sandboxProcesses()).toHaveLength(2);
      const c = sandboxProcessInfo('ws-c')!;
      expect(c.workspaces).toContain('ws-c');
      expect(c.workspaces).toHaveLength(2);
      // Stopping every isolate of a process's workspaces lets it exit.
      const lonely = ['ws-a', 'ws-b'].find((w) => !c.workspaces.includes(w))!;
      host.dispose('good.slow', lonely);
      if (lonely === 'ws-a') host.dispose('evil.alloc', 'ws-a');
      await until(() => sandboxProcessInfo(lonely) === undefined, 3_000);
      expect(sandboxProcesses()).toHaveLength(1);
    } finally {
      configureSandboxProcess({ maxProcesses: 8, idleProcessMs: 10_000 });
    }
  });
});
