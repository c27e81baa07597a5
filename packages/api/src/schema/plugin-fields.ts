// The plugin API of a workspace: what is installed (with capabilities and metrics), the lifecycle mutations,
// and `runAction`. The fields are the same for every workspace; what they do comes from the plugin runtime
// the server was given. Installing, upgrading or uninstalling changes the workspace's metadata version
// (even a code-only upgrade records one); the schema cache builds the workspace's schema again only when the
// plugin's entities or fields changed it (schema-cache.ts).
import type { InstalledPlugin, LifecycleResult, PluginPreview, PluginRuntime } from '@touchpoint/plugin-runtime';
import { TouchpointError } from '@touchpoint/schema';
import type { ApiContext } from '../context.ts';
import { auditedAs } from './audit-fields.ts';
import type { MetadataTypes } from './metadata-fields.ts';
import type { Builder, Row, SharedTypes } from './shared-types.ts';

type Action = InstalledPlugin['actions'][string] & { name: string };
type LogEntry = ReturnType<PluginRuntime['logs']>[number];

function runtimeOf(ctx: ApiContext): PluginRuntime {
  if (!ctx.plugins) throw new TouchpointError('BAD_REQUEST', 'Plugins are not enabled on this server.');
  return ctx.plugins;
}

const iso = (value: string | null) => (value ? new Date(value).toISOString() : null);

export function addPluginFields(builder: Builder, shared: SharedTypes, metadata: MetadataTypes): void {
  const metrics = builder.objectRef<InstalledPlugin['metrics']>('PluginMetrics').implement({
    description: 'What a plugin used in this workspace since this server started (or since it was last upgraded).',
    fields: (t) => ({
      state: t.string({ nullable: false, description: 'cold, warm or disabled', resolve: (m) => m.state }),
      calls: t.int({ nullable: false, resolve: (m) => m.calls }),
      errors: t.int({
        nullable: false,
        description: 'Failed calls (PLUGIN_FAILED, LIMIT_EXCEEDED).',
        resolve: (m) => m.errors,
      }),
      rejections: t.int({
        nullable: false,
        description: 'Writes or actions the plugin refused.',
        resolve: (m) => m.rejections,
      }),
      hostCalls: t.int({ nullable: false, resolve: (m) => m.hostCalls }),
      cpuTimeMs: t.float({ nullable: false, resolve: (m) => m.cpuTimeMs }),
      memoryBytes: t.float({ nullable: false, resolve: (m) => m.memoryBytes }),
      coldStarts: t.int({ nullable: false, resolve: (m) => m.coldStarts }),
      consecutiveFailures: t.int({ nullable: false, resolve: (m) => m.consecutiveFailures }),
      afterHookErrors: t.int({ nullable: false, resolve: (m) => m.afterHookErrors }),
      lastError: t.field({ type: 'JSON', resolve: (m) => m.lastError ?? null }),
    }),
  });
  const action = builder.objectRef<Action>('PluginAction').implement({
    description: 'An operation a plugin offers on records of one entity (a button on its record page).',
    fields: (t) => ({
      name: t.string({ nullable: false, resolve: (a) => a.name }),
      entity: t.string({ nullable: false, resolve: (a) => a.entity }),
      labels: t.field({ type: shared.labels, resolve: (a) => (a.labels ?? null) as never }),
      description: t.string({ resolve: (a) => a.description ?? null }),
      input: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The input spec runAction checks.',
        resolve: (a) => a.input,
      }),
    }),
  });
  const logEntry = builder.objectRef<LogEntry>('PluginLogEntry').implement({
    fields: (t) => ({
      level: t.string({ nullable: false, resolve: (l) => l.level }),
      message: t.string({ nullable: false, resolve: (l) => l.message }),
      data: t.field({ type: 'JSON', resolve: (l) => l.data ?? null }),
      at: t.field({ type: 'DateTime', nullable: false, resolve: (l) => l.at }),
    }),
  });
  const plugin = builder.objectRef<InstalledPlugin>('Plugin').implement({
    description: 'A plugin installed in this workspace.',
    fields: (t) => ({
      id: t.string({ nullable: false, resolve: (p) => p.id }),
      version: t.string({ nullable: false, resolve: (p) => p.version }),
      labels: t.field({ type: shared.labels, nullable: false, resolve: (p) => p.labels as never }),
      description: t.field({ type: shared.labels, resolve: (p) => p.description as never }),
      touchpoint: t.string({
        nullable: false,
        description: 'Touchpoint versions it works with.',
        resolve: (p) => p.touchpoint,
      }),
      enabled: t.boolean({ nullable: false, resolve: (p) => p.enabled }),
      disabledReason: t.string({ resolve: (p) => p.disabledReason }),
      disabledAt: t.field({ type: 'DateTime', resolve: (p) => iso(p.disabledAt) }),
      capabilitiesRequested: t.field({ type: 'JSON', nullable: false, resolve: (p) => p.capabilitiesRequested }),
      capabilitiesGranted: t.field({ type: 'JSON', nullable: false, resolve: (p) => p.capabilitiesGranted }),
      settings: t.field({ type: 'JSON', nullable: false, resolve: (p) => p.settings }),
      limits: t.field({ type: 'JSON', nullable: false, resolve: (p) => p.limits }),
      sha256: t.string({ nullable: false, resolve: (p) => p.sha256 }),
      installedBy: t.string({ nullable: false, resolve: (p) => p.installedBy }),
      installedAt: t.field({ type: 'DateTime', nullable: false, resolve: (p) => iso(p.installedAt)! }),
      updatedAt: t.field({ type: 'DateTime', nullable: false, resolve: (p) => iso(p.updatedAt)! }),
      hooks: t.field({
        type: 'JSON',
        nullable: false,
        description: 'Entity → hooks it runs.',
        resolve: (p) => p.hooks,
      }),
      actions: t.field({
        type: [action],
        nullable: false,
        resolve: (p) => Object.entries(p.actions).map(([name, a]) => ({ ...a, name })),
      }),
      metrics: t.field({ type: metrics, nullable: false, resolve: (p) => p.metrics }),
      logs: t.field({
        type: [logEntry],
        nullable: false,
        description: 'What it logged lately in this workspace, newest last.',
        args: { last: t.arg.int({ description: 'At most this many lines (default 50).' }) },
        resolve: (p, args, ctx) =>
          runtimeOf(ctx)
            .logs(p.workspace, p.id)
            .slice(-(args.last ?? 50)),
      }),
    }),
  });
  const change = builder.objectRef<LifecycleResult>('PluginChange').implement({
    fields: (t) => ({
      plugin: t.field({ type: plugin, resolve: (r) => r.plugin }),
      applied: t.boolean({
        nullable: false,
        description: 'Whether the metadata changed.',
        resolve: (r) => r.change?.applied ?? false,
      }),
      metadataVersion: t.int({ resolve: (r) => r.change?.version ?? null }),
      plan: t.field({ type: metadata.plan, resolve: (r) => (r.change?.plan ?? null) as never }),
      purged: t.stringList({ description: 'What a purge deleted for good.', resolve: (r) => r.purged ?? null }),
    }),
  });
  const preview = builder.objectRef<PluginPreview>('PluginPreview').implement({
    description: 'What installing (or upgrading to) an archive would do; nothing is changed.',
    fields: (t) => ({
      id: t.string({ nullable: false, resolve: (p) => p.id }),
      version: t.string({ nullable: false, resolve: (p) => p.version }),
      labels: t.field({ type: shared.labels, nullable: false, resolve: (p) => p.labels as never }),
      description: t.field({ type: shared.labels, resolve: (p) => p.description as never }),
      touchpoint: t.string({ nullable: false, resolve: (p) => p.touchpoint }),
      capabilitiesRequested: t.field({ type: 'JSON', nullable: false, resolve: (p) => p.capabilitiesRequested }),
      settings: t.field({
        type: 'JSON',
        description: 'The settings it accepts (input spec).',
        resolve: (p) => p.settings ?? null,
      }),
      installedVersion: t.string({ resolve: (p) => p.installedVersion }),
      plan: t.field({ type: metadata.plan, nullable: false, resolve: (p) => p.change.plan as never }),
    }),
  });

  builder.queryFields((t) => ({
    plugins: t.field({
      type: [plugin],
      nullable: false,
      description: 'The plugins installed in this workspace, with their versions, capabilities and metrics.',
      resolve: (_root, _args, ctx) => runtimeOf(ctx).list(ctx.workspace),
    }),
    plugin: t.field({
      type: plugin,
      args: { id: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) =>
        (await runtimeOf(ctx).list(ctx.workspace)).find((p) => p.id === args.id) ?? null,
    }),
    pluginPreview: t.field({
      type: preview,
      nullable: false,
      args: { archive: t.arg({ type: 'JSON', required: true }) },
      resolve: (_root, args, ctx) => runtimeOf(ctx).preview(ctx.workspace, args.archive),
    }),
  }));

  builder.mutationFields((t) => {
    const archiveArg = () =>
      t.arg({ type: 'JSON', required: true, description: 'The .tpplugin.json archive (its JSON, or its text).' });
    const confirm = () => t.arg.boolean({ description: 'Needed when data would be archived or deleted.' });
    return {
      installPlugin: t.field({
        type: change,
        nullable: false,
        description:
          'Installs a plugin: manifest checked, capabilities granted (default: all it asks for), metadata migrated.',
        args: {
          archive: archiveArg(),
          grants: t.arg({ type: 'JSON', description: '{ records: { <entity>: [read, create, update] } }' }),
          settings: t.arg({ type: 'JSON' }),
          limits: t.arg({ type: 'JSON' }),
        },
        resolve: (_root, args, ctx) =>
          runtimeOf(ctx).install(ctx.workspace, args.archive, {
            grants: args.grants,
            settings: args.settings,
            limits: args.limits,
            actor: ctx.actor,
            ...auditedAs(ctx),
          }),
      }),
      upgradePlugin: t.field({
        type: change,
        nullable: false,
        description: 'Upgrades to a newer version; data is kept. A failed upgrade leaves the old version running.',
        args: {
          archive: archiveArg(),
          grants: t.arg({ type: 'JSON' }),
          settings: t.arg({ type: 'JSON' }),
          limits: t.arg({ type: 'JSON' }),
          confirmDestructive: confirm(),
        },
        resolve: (_root, args, ctx) =>
          runtimeOf(ctx).upgrade(ctx.workspace, args.archive, {
            grants: args.grants ?? undefined,
            settings: args.settings ?? undefined,
            limits: args.limits ?? undefined,
            actor: ctx.actor,
            ...auditedAs(ctx),
            confirmDestructive: args.confirmDestructive ?? false,
          }),
      }),
      enablePlugin: t.field({
        type: plugin,
        nullable: false,
        args: { id: t.arg.string({ required: true }) },
        resolve: async (_root, args, ctx) => (await runtimeOf(ctx).enable(ctx.workspace, args.id)).plugin!,
      }),
      disablePlugin: t.field({
        type: plugin,
        nullable: false,
        args: { id: t.arg.string({ required: true }), reason: t.arg.string() },
        resolve: async (_root, args, ctx) =>
          (await runtimeOf(ctx).disable(ctx.workspace, args.id, args.reason ?? undefined, ctx.actor)).plugin!,
      }),
      uninstallPlugin: t.field({
        type: change,
        nullable: false,
        description:
          'Uninstalls: its entities and fields are archived (data kept; installing it again restores them). purge deletes them for good. Both need confirmDestructive.',
        args: { id: t.arg.string({ required: true }), purge: t.arg.boolean(), confirmDestructive: confirm() },
        resolve: (_root, args, ctx) =>
          runtimeOf(ctx).uninstall(ctx.workspace, args.id, {
            purge: args.purge ?? false,
            confirmDestructive: args.confirmDestructive ?? false,
            actor: ctx.actor,
            ...auditedAs(ctx),
          }),
      }),
      runAction: t.field({
        type: 'JSON',
        description: "Runs a plugin's action on a record you can read; the input is checked against the action's spec.",
        args: {
          plugin: t.arg.string({ required: true }),
          action: t.arg.string({ required: true }),
          recordId: t.arg.id({ required: true }),
          input: t.arg({ type: 'JSON' }),
        },
        resolve: (_root, args, ctx) =>
          runtimeOf(ctx).runAction(ctx.records, args.plugin, args.action, String(args.recordId), args.input as Row),
      }),
    };
  });
}
