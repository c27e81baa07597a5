// Plugin hooks on the engine's extension points. Before-hooks run inside the write, in install order, each
// seeing what the previous one left; any failure of plugin code (PLUGIN_FAILED, LIMIT_EXCEEDED) refuses the
// write — fail closed — and a disabled plugin is skipped. After-hooks hang on the record events, which the
// engine publishes once the write committed: they are started, not awaited, so a write never waits on them;
// their failures are logged and counted (`drain()` waits for those in flight, for tests and shutdown).
import type { Engine, RecordEvent, RequestContext, WriteHookArgs } from '@touchpoint/engine';
import type { HookName, PluginHost } from '@touchpoint/sandbox';
import type { EntityDefinition } from '@touchpoint/schema';
import { chainOf, chainOfEvent, type EffectLink, enter } from './effects.ts';
import { fromPluginValues, toPluginValues } from './records-bridge.ts';

const AFTER: Partial<Record<RecordEvent['type'], HookName>> = {
  'record.created': 'afterCreate',
  'record.updated': 'afterUpdate',
  'record.deleted': 'afterDelete',
};

export interface Wiring {
  dispose(): void;
  drain(): Promise<void>;
}

export interface WiringOptions {
  engine: Engine;
  host: PluginHost;
  onAfterHookError(plugin: string, workspace: string, where: string, error: unknown): void;
}

/** Options of one plugin call in a chain: the chain's root keys the host-call budget of the request. */
export function callOptions(chain: EffectLink, where: string, actor: string) {
  return { request: chain.root, effects: enter(chain, where), actor };
}

export function wirePlugins({ engine, host, onAfterHookError }: WiringOptions): Wiring {
  const before = async (
    hook: 'beforeCreate' | 'beforeUpdate',
    context: RequestContext,
    entity: EntityDefinition,
    id: string | undefined,
    values: Record<string, unknown>,
  ) => {
    const plugins = host.hooksFor(context.workspace, entity.name, hook);
    if (plugins.length === 0) return;
    let current = toPluginValues(entity, values);
    const chain = chainOf(context, `writing ${entity.name}`);
    for (const plugin of plugins) {
      const payload = id === undefined ? { values: current } : { id, values: current };
      const options = callOptions(chain, `${plugin} ${entity.name}.${hook}`, context.actor);
      const result = await host.runHook(plugin, context.workspace, entity.name, hook, payload, options);
      if (result.values) current = result.values;
    }
    // The engine re-checks what comes back like user input; the object is the one it will write.
    for (const key of Object.keys(values)) delete values[key];
    Object.assign(values, fromPluginValues(entity, current));
  };
  const unregister = engine.hooks.register({
    name: 'plugins',
    beforeCreate: (args: WriteHookArgs) => before('beforeCreate', args.context, args.entity, undefined, args.values),
    beforeUpdate: (args: WriteHookArgs) => before('beforeUpdate', args.context, args.entity, args.id, args.values),
    async beforeDelete(args) {
      const { context, entity, id } = args;
      const plugins = host.hooksFor(context.workspace, entity.name, 'beforeDelete');
      if (plugins.length === 0) return;
      const chain = chainOf(context, `deleting ${entity.name}`);
      for (const plugin of plugins) {
        const options = callOptions(chain, `${plugin} ${entity.name}.beforeDelete`, context.actor);
        await host.runHook(plugin, context.workspace, entity.name, 'beforeDelete', { id: id! }, options);
      }
    },
  });

  const pending = new Set<Promise<void>>();
  const runAfter = async (plugin: string, hook: HookName, event: RecordEvent) => {
    // Charged before anything runs: a chain that went too far stops here, its hook never started.
    const options = callOptions(chainOfEvent(event), `${plugin} ${event.entity}.${hook}`, event.actor);
    const entity = (await engine.metadata(event.workspace)).byName.get(event.entity);
    const changed = entity
      ? Object.keys(toPluginValues(entity, Object.fromEntries(event.changed.map((c) => [c, null]))))
      : event.changed;
    const payload = { id: event.id, version: event.version, changed, at: event.at };
    // Writes the after-hook makes stay in the chain of the write that caused it, under one budget.
    await host.runHook(plugin, event.workspace, event.entity, hook, payload, options);
  };
  const unsubscribe = engine.events.subscribe('*', (event) => {
    const hook = AFTER[event.type];
    if (!hook) return;
    for (const plugin of host.hooksFor(event.workspace, event.entity, hook)) {
      const task = runAfter(plugin, hook, event).catch((error) =>
        onAfterHookError(plugin, event.workspace, `${event.entity}.${hook}`, error),
      );
      pending.add(task);
      void task.finally(() => pending.delete(task));
    }
  });

  return {
    dispose() {
      unregister();
      unsubscribe();
    },
    async drain() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
