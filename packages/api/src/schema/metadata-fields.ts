// The metadata API: read the effective metadata, plan and apply changes, see the history, export YAML.
import {
  type ArchiveRow,
  archiveRestoresAs,
  type ChangeResult,
  checkChangeShape,
  exportLayer,
  type LayerDocument,
  type MetadataChange,
  type MigrationPlan,
  type WorkspaceLayers,
  workspaceLayers,
} from '@touchpoint/engine';
import { type EntityDefinition, entityToYaml, type Issue, TouchpointError, validationFailed } from '@touchpoint/schema';
import { requirePermission } from '../auth.ts';
import type { ApiContext } from '../context.ts';
import { auditedAs } from './audit-fields.ts';
import type { AnyRef, Builder, Row, SharedTypes } from './shared-types.ts';

// biome-ignore lint/suspicious/noExplicitAny: Pothos field builders of run-time types
type AnyFieldBuilder = any;

export interface MetadataTypes {
  entity: AnyRef;
  plan: AnyRef;
  result: AnyRef;
  version: AnyRef;
  archive: AnyRef;
  workspace: AnyRef;
  asCode: AnyRef;
}

export function declareMetadataTypes(builder: Builder, shared: SharedTypes): MetadataTypes {
  const field = builder.objectRef<Row>('FieldMetadata').implement({
    description: 'A field of an entity, as the effective metadata defines it.',
    fields: (t) => ({
      id: t.string({ resolve: (f) => f.id as string }),
      name: t.string({ nullable: false, resolve: (f) => f.name as string }),
      type: t.string({ nullable: false, resolve: (f) => f.type as string }),
      labels: t.field({ type: shared.labels, resolve: (f) => f.labels as never }),
      required: t.boolean({ nullable: false, resolve: (f) => Boolean(f.required) }),
      unique: t.boolean({ nullable: false, resolve: (f) => Boolean(f.unique) }),
      readOnly: t.boolean({ nullable: false, resolve: (f) => Boolean(f.readOnly) }),
      source: t.string({ resolve: (f) => f.source as string }),
      definition: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The whole field definition.',
        resolve: (f) => f,
      }),
    }),
  });
  const entity = builder.objectRef<EntityDefinition>('EntityMetadata').implement({
    description: 'An entity of the workspace, as the effective metadata defines it.',
    fields: (t) => ({
      id: t.string({ resolve: (e) => e.id ?? e.name }),
      name: t.string({ nullable: false, resolve: (e) => e.name }),
      pluralName: t.string({ resolve: (e) => e.pluralName ?? null }),
      labels: t.field({ type: shared.labels, resolve: (e) => e.labels as never }),
      pluralLabels: t.field({ type: shared.labels, resolve: (e) => (e.pluralLabels ?? null) as never }),
      titleField: t.string({ nullable: false, resolve: (e) => e.titleField }),
      source: t.string({ resolve: (e) => e.source ?? null }),
      fields: t.field({ type: [field], nullable: false, resolve: (e) => e.fields as unknown as Row[] }),
      views: t.field({ type: 'JSON', resolve: (e) => e.views ?? null }),
      definition: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The whole entity definition.',
        resolve: (e) => e,
      }),
    }),
  });
  const step = builder.objectRef<Row>('MigrationStep').implement({
    description:
      'One step of a migration plan. `code` and `params` say what it does as data, for a client to word in its ' +
      "user's language; `description` is the same in English.",
    fields: (t) => ({
      kind: t.string({ nullable: false, resolve: (s) => s.kind as string }),
      code: t.string({
        description:
          'What the step does: createTable, renameTable, restoreTable, archiveTable, addField, addFieldWithDefault, ' +
          'addRequiredFieldToFilledTable, linkManyToMany, addReference, renameField, restoreField, archiveField, ' +
          'removeFieldStoringNothing, changeTypeArchivingValues, changeTypeWidening, changeTypeNarrowing, ' +
          'changeTypeKeepingValues, changeTypeInvalidValues, makeRequired, makeRequiredWithEmptyValues, addUnique, ' +
          'dropUnique, removeOptions, limitLength, addIndex, dropIndex, addSortIndex, dropSortIndex, addDerivedIndex, ' +
          'dropDerivedIndex, purgeArchivedField, purgeArchivedTable. Null for steps of versions recorded before steps had codes.',
        resolve: (s) => (s.code ?? null) as string | null,
      }),
      params: t.field({
        type: 'JSON',
        description:
          'The parameters of the code: entity and field (API names) with their labels (entityLabels, fieldLabels), ' +
          'and per code from, fromType, type, target, targetLabels, count, fieldCount, archivedAs, archivedIn, options, ' +
          'maxLength, fields, unique, index, purpose.',
        resolve: (s) => s.params ?? null,
      }),
      description: t.string({ nullable: false, resolve: (s) => s.description as string }),
      destructive: t.boolean({ nullable: false, resolve: (s) => Boolean(s.destructive) }),
      entity: t.string({ resolve: (s) => (s.entity ?? null) as string | null }),
      field: t.string({ resolve: (s) => (s.field ?? null) as string | null }),
    }),
  });
  const plan = builder.objectRef<MigrationPlan>('MigrationPlan').implement({
    description: 'What a metadata change will do to the database, step by step.',
    fields: (t) => ({
      steps: t.field({ type: [step], nullable: false, resolve: (p) => p.steps as unknown as Row[] }),
      destructive: t.boolean({ nullable: false, resolve: (p) => p.destructive }),
    }),
  });
  const result = builder.objectRef<ChangeResult>('MetadataChangeResult').implement({
    fields: (t) => ({
      applied: t.boolean({ nullable: false, resolve: (r) => r.applied }),
      version: t.int({ nullable: false, resolve: (r) => r.version }),
      plan: t.field({ type: plan, nullable: false, resolve: (r) => r.plan }),
    }),
  });
  const version = builder.objectRef<Row>('MetadataVersion').implement({
    fields: (t) => ({
      version: t.int({ nullable: false, resolve: (v) => v.version as number }),
      reason: t.string({ resolve: (v) => v.reason as string }),
      actor: t.string({ resolve: (v) => v.actor as string }),
      createdAt: t.field({ type: 'DateTime', resolve: (v) => new Date(v.createdAt as string).toISOString() }),
      steps: t.field({ type: [step], nullable: false, resolve: (v) => v.steps as Row[] }),
      changes: t.field({ type: 'JSON', nullable: false, resolve: (v) => v.changes }),
    }),
  });
  const archive = builder.objectRef<Row>('MetadataArchive').implement({
    description:
      'A removed field or entity whose data is kept, or the copy of old values a narrowing type change keeps; restoreArchive brings it back.',
    fields: (t) => ({
      id: t.int({ nullable: false, resolve: (a) => a.id as number }),
      kind: t.string({ nullable: false, resolve: (a) => a.kind as string }),
      version: t.int({ nullable: false, resolve: (a) => a.version as number }),
      name: t.string({ resolve: (a) => (a.definition as { name?: string }).name ?? null }),
      restoresAs: t.string({
        nullable: false,
        description:
          'The name restoring brings back: the field or entity itself, or for the copy a narrowing type change kept, a field of the old type beside the narrowed one (<name>BeforeV<version>).',
        resolve: (a) => archiveRestoresAs(a as unknown as ArchiveRow),
      }),
      archivedAt: t.field({ type: 'DateTime', resolve: (a) => new Date(a.archivedAt as string).toISOString() }),
      purgeDue: t.boolean({
        nullable: false,
        description:
          'Older than the retention period (engine option archiveRetentionDays, default 90 days): listed for an admin to purge. Nothing is purged on its own; purgeArchives does it, with confirmation.',
        resolve: (a, _: unknown, ctx: ApiContext) => ctx.engine.purgeDue(a as unknown as ArchiveRow),
      }),
      purgeDueFrom: t.field({
        type: 'DateTime',
        description: 'When the archive becomes due for purging; null when the retention period is off.',
        resolve: (a, _: unknown, ctx: ApiContext) =>
          ctx.engine.purgeDueFrom(a as unknown as ArchiveRow)?.toISOString() ?? null,
      }),
      definition: t.field({ type: 'JSON', resolve: (a) => a.definition }),
    }),
  });
  const workspace = builder.objectRef<Row>('Workspace').implement({
    fields: (t) => ({
      slug: t.string({ nullable: false, resolve: (w) => w.slug as string }),
      name: t.string({ nullable: false, resolve: (w) => w.name as string }),
    }),
  });
  const document = builder.objectRef<LayerDocument>('MetadataDocument').implement({
    description: 'One YAML document of the admin’s layer: an entity of the workspace, or its changes to one.',
    fields: (t) => ({
      name: t.string({
        nullable: false,
        description: 'The entity; the folder form’s file is <name>.yaml.',
        resolve: (d) => d.name,
      }),
      yaml: t.string({ nullable: false, resolve: (d) => d.yaml }),
    }),
  });
  const asCode = builder.objectRef<WorkspaceLayers>('MetadataAsCode').implement({
    description:
      'The workspace’s metadata as code, for `touchpoint metadata export|diff|apply --server`: what the export ' +
      'writes, and the layers a desired state is planned against (the planning itself is the client’s, by the ' +
      'same code as on the database, and goes through planMetadataChange / applyMetadataChange).',
    fields: (t) => ({
      version: t.int({ nullable: false, resolve: (l) => l.version }),
      text: t.string({
        nullable: false,
        description: 'The admin’s layer as one multi-document YAML text, exactly as `metadata export` writes it.',
        resolve: (l) => exportLayer(l).text,
      }),
      documents: t.field({
        type: [document],
        nullable: false,
        description: 'The same documents one by one, as the folder form writes them.',
        resolve: (l) => exportLayer(l).documents,
      }),
      plugins: t.stringList({
        nullable: false,
        description: 'id@version of each plugin below.',
        resolve: (l) => l.plugins,
      }),
      base: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The core and plugin layers merged, without the workspace’s own changes: entity definitions.',
        resolve: (l) => l.base,
      }),
      entities: t.field({
        type: 'JSON',
        nullable: false,
        description: 'The effective entity definitions at this version.',
        resolve: (l) => l.entities,
      }),
    }),
  });
  return { entity, plan, result, version, archive, workspace, asCode };
}

export function metadataQueries(t: AnyFieldBuilder, types: MetadataTypes): Record<string, unknown> {
  return {
    entities: t.field({
      type: [types.entity],
      nullable: false,
      description: 'Every entity of the workspace (effective metadata at the current version).',
      resolve: (_: unknown, __: unknown, ctx: ApiContext) => ctx.metadata.entities,
    }),
    entity: t.field({
      type: types.entity,
      args: { name: t.arg.string({ required: true }) },
      resolve: (_: unknown, args: { name: string }, ctx: ApiContext) => ctx.metadata.byName.get(args.name) ?? null,
    }),
    metadataVersion: t.int({
      nullable: false,
      resolve: (_: unknown, __: unknown, ctx: ApiContext) => ctx.metadata.version,
    }),
    metadataHistory: t.field({
      type: [types.version],
      nullable: false,
      args: { first: t.arg.int({ description: `Newest first; default 50, from 0 to ${MAX_HISTORY}.` }) },
      resolve: async (_: unknown, args: { first?: number | null }, ctx: ApiContext) => {
        const first = args.first ?? 50;
        if (first < 0) {
          throw validationFailed('metadataHistory: first is not valid', [
            { path: 'first', message: `first must be a whole number from 0 to ${MAX_HISTORY}, got ${first}` },
          ]);
        }
        if (first > MAX_HISTORY) {
          const message = `first must be at most ${MAX_HISTORY}, got ${first}`;
          throw new TouchpointError('LIMIT_EXCEEDED', `first: ${message}`, {
            issues: [{ path: 'first', message }],
            details: { argument: 'first', limit: MAX_HISTORY, got: first },
          });
        }
        return (await ctx.engine.history(ctx.workspace)).slice(0, first);
      },
    }),
    metadataArchives: t.field({
      type: [types.archive],
      nullable: false,
      description: 'Archives that can be restored or purged (purged and restored ones are not listed).',
      args: { purgeDue: t.arg.boolean({ description: 'Only the archives due for purging (true) or not (false).' }) },
      resolve: async (_: unknown, args: { purgeDue?: boolean | null }, ctx: ApiContext) => {
        const archives = await ctx.engine.archives(ctx.workspace);
        if (args.purgeDue === undefined || args.purgeDue === null) return archives;
        return archives.filter((a) => ctx.engine.purgeDue(a) === args.purgeDue);
      },
    }),
    workspaces: t.field({
      type: [types.workspace],
      nullable: false,
      resolve: (_: unknown, __: unknown, ctx: ApiContext) => ctx.engine.listWorkspaces(),
    }),
    exportMetadata: t.string({
      nullable: false,
      description: 'The effective metadata as YAML documents, one per entity.',
      resolve: (_: unknown, __: unknown, ctx: ApiContext) =>
        ctx.metadata.entities.map((e) => entityToYaml(e)).join('---\n'),
    }),
    metadataAsCode: t.field({
      type: types.asCode,
      nullable: false,
      description:
        'Administrators only: the admin’s layer as `touchpoint metadata export` writes it, and the layers below it.',
      resolve: (_: unknown, __: unknown, ctx: ApiContext) => {
        requirePermission(ctx.viewer, 'manageMetadata', 'export the metadata as code');
        return workspaceLayers(ctx.engine, ctx.workspace);
      },
    }),
    planMetadataChange: t.field({
      type: types.plan,
      nullable: false,
      description: 'Dry run: the steps a change would take, each safe or destructive. Nothing is written.',
      args: { changes: t.arg({ type: 'JSON', required: true }) },
      resolve: async (_: unknown, args: { changes: unknown }, ctx: ApiContext) => {
        requirePermission(ctx.viewer, 'manageMetadata', 'plan a metadata change');
        const result = await ctx.engine.changeMetadata(ctx.workspace, asChanges(args.changes), {
          actor: ctx.actor,
          ...auditedAs(ctx),
          dryRun: true,
        });
        return result.plan;
      },
    }),
  };
}

/** The `changes` argument: a list of changes, or one change on its own; the engine checks their shape. */
function asChanges(value: unknown): MetadataChange[] {
  return (Array.isArray(value) ? value : [value]) as MetadataChange[];
}

/** Most entries `metadataHistory` returns at once. */
export const MAX_HISTORY = 500;

/** Most archives one `purgeArchives` purges. */
export const MAX_PURGE = 500;

/**
 * Checks the change a one-change mutation makes from its arguments, naming the arguments in the issues
 * (`definition.fields[0].type`, `field.labels`, `patch.name`) rather than a `changes[0]` the caller never sent.
 */
function checkArguments(change: Row, renames: Record<string, string> = {}): MetadataChange {
  const issues: Issue[] = [];
  checkChangeShape(issues, '$', change);
  if (issues.length > 0) {
    throw validationFailed(
      'The metadata change is not valid:',
      issues.map((issue) => {
        const path = issue.path.replace(/^\$\.?/, '');
        const head = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
        return { ...issue, path: head in renames ? `${renames[head]}${path.slice(head.length)}` : path };
      }),
    );
  }
  return change as MetadataChange;
}

export function metadataMutations(t: AnyFieldBuilder, types: MetadataTypes): Record<string, unknown> {
  const apply = (ctx: ApiContext, changes: MetadataChange[], confirm?: boolean | null) =>
    ctx.engine.changeMetadata(ctx.workspace, changes, {
      actor: ctx.actor,
      ...auditedAs(ctx),
      confirmDestructive: confirm ?? false,
    });
  const confirm = () =>
    t.arg.boolean({ description: 'Needed for destructive changes (archiving data, narrowing types).' });
  return {
    applyMetadataChange: t.field({
      type: types.result,
      nullable: false,
      description: 'Applies metadata changes in one transaction with their migration; live at once.',
      args: { changes: t.arg({ type: 'JSON', required: true }), confirmDestructive: confirm() },
      resolve: (_: unknown, args: { changes: unknown; confirmDestructive?: boolean }, ctx: ApiContext) =>
        apply(ctx, asChanges(args.changes), args.confirmDestructive),
    }),
    createEntity: t.field({
      type: types.result,
      nullable: false,
      args: { definition: t.arg({ type: 'JSON', required: true }) },
      resolve: (_: unknown, args: { definition: EntityDefinition }, ctx: ApiContext) =>
        apply(ctx, [checkArguments({ op: 'createEntity', entity: args.definition }, { entity: 'definition' })]),
    }),
    updateEntity: t.field({
      type: types.result,
      nullable: false,
      args: {
        entity: t.arg.string({ required: true }),
        patch: t.arg({ type: 'JSON', required: true }),
        confirmDestructive: confirm(),
      },
      resolve: (_: unknown, args: { entity: string; patch: Row; confirmDestructive?: boolean }, ctx: ApiContext) =>
        apply(
          ctx,
          [checkArguments({ op: 'updateEntity', entity: args.entity, patch: args.patch })],
          args.confirmDestructive,
        ),
    }),
    removeEntity: t.field({
      type: types.result,
      nullable: false,
      args: { entity: t.arg.string({ required: true }), confirmDestructive: confirm() },
      resolve: (_: unknown, args: { entity: string; confirmDestructive?: boolean }, ctx: ApiContext) =>
        apply(ctx, [{ op: 'removeEntity', entity: args.entity }], args.confirmDestructive),
    }),
    addField: t.field({
      type: types.result,
      nullable: false,
      args: {
        entity: t.arg.string({ required: true }),
        field: t.arg({ type: 'JSON', required: true }),
        position: t.arg.int(),
        confirmDestructive: confirm(),
      },
      resolve: (
        _: unknown,
        args: { entity: string; field: never; position?: number | null; confirmDestructive?: boolean },
        ctx: ApiContext,
      ) =>
        apply(
          ctx,
          [
            checkArguments({
              op: 'addField',
              entity: args.entity,
              field: args.field,
              position: args.position ?? undefined,
            }),
          ],
          args.confirmDestructive,
        ),
    }),
    updateField: t.field({
      type: types.result,
      nullable: false,
      description: 'Change a field; a new name renames the column (the data stays).',
      args: {
        entity: t.arg.string({ required: true }),
        field: t.arg.string({ required: true }),
        patch: t.arg({ type: 'JSON', required: true }),
        confirmDestructive: confirm(),
      },
      resolve: (
        _: unknown,
        args: { entity: string; field: string; patch: Row; confirmDestructive?: boolean },
        ctx: ApiContext,
      ) =>
        apply(
          ctx,
          [checkArguments({ op: 'updateField', entity: args.entity, field: args.field, patch: args.patch })],
          args.confirmDestructive,
        ),
    }),
    removeField: t.field({
      type: types.result,
      nullable: false,
      description:
        'Remove a field. Its values are archived (restoreArchive brings them back); needs confirmDestructive.',
      args: {
        entity: t.arg.string({ required: true }),
        field: t.arg.string({ required: true }),
        confirmDestructive: confirm(),
      },
      resolve: (_: unknown, args: { entity: string; field: string; confirmDestructive?: boolean }, ctx: ApiContext) =>
        apply(ctx, [{ op: 'removeField', entity: args.entity, field: args.field }], args.confirmDestructive),
    }),
    createWorkspace: t.field({
      type: types.workspace,
      nullable: false,
      description: 'A new workspace with its own records and metadata, starting from the core schemas.',
      args: { slug: t.arg.string({ required: true }), name: t.arg.string({ required: true }) },
      resolve: async (_: unknown, args: { slug: string; name: string }, ctx: ApiContext) => {
        const workspace = await ctx.engine.createWorkspace(args.slug, args.name, ctx.actor);
        // Whoever creates a workspace administers it: they become its first member, with the admin role.
        if (ctx.viewer) {
          await ctx.engine.addUser(
            args.slug,
            { email: ctx.viewer.email, name: ctx.viewer.name, role: 'admin' },
            { actor: ctx.viewer.userId, ...auditedAs(ctx) },
          );
        }
        return workspace;
      },
    }),
    restoreArchive: t.field({
      type: types.result,
      nullable: false,
      description:
        'Bring back an archived field or entity with its data; the copy a narrowing type change kept comes back as a field of its own (see MetadataArchive.restoresAs).',
      args: { id: t.arg.int({ required: true }) },
      resolve: async (_: unknown, args: { id: number }, ctx: ApiContext) => {
        const archive = (await ctx.engine.archives(ctx.workspace)).find((a) => a.id === args.id);
        const purged = archive ? null : await ctx.engine.archive(ctx.workspace, args.id);
        if (purged?.purgedAt) {
          throw new TouchpointError(
            'NOT_FOUND',
            `Archive ${args.id} was purged in version ${purged.purgedVersion}: its data was deleted for good and cannot be restored.`,
            {
              details: { archiveId: args.id, purgedVersion: purged.purgedVersion },
              issues: [{ path: 'id', message: `archive ${args.id} was purged in version ${purged.purgedVersion}` }],
            },
          );
        }
        if (!archive) {
          throw new TouchpointError('NOT_FOUND', `There is no archive ${args.id} to restore.`, {
            issues: [{ path: 'id', message: `no archive with id ${args.id}; metadataArchives lists them` }],
          });
        }
        return apply(ctx, [{ op: archive.kind === 'field' ? 'restoreField' : 'restoreEntity', archiveId: args.id }]);
      },
    }),
    purgeArchives: t.field({
      type: types.result,
      nullable: false,
      description:
        'Delete archived data for good: one purgeArchive change per id, planned and recorded as a version like any change ' +
        '(planMetadataChange shows the steps). Needs confirmDestructive; a purged archive can no longer be restored.',
      args: {
        ids: t.arg.intList({ required: true, description: `1 to ${MAX_PURGE} archive ids (metadataArchives).` }),
        confirmDestructive: confirm(),
      },
      resolve: (_: unknown, args: { ids: number[]; confirmDestructive?: boolean }, ctx: ApiContext) => {
        if (args.ids.length === 0 || args.ids.length > MAX_PURGE) {
          const message = `ids must list 1 to ${MAX_PURGE} archives, got ${args.ids.length}`;
          throw args.ids.length === 0
            ? validationFailed('purgeArchives: ids is not valid', [{ path: 'ids', message }])
            : new TouchpointError('LIMIT_EXCEEDED', `ids: ${message}`, {
                issues: [{ path: 'ids', message }],
                details: { argument: 'ids', limit: MAX_PURGE, got: args.ids.length },
              });
        }
        const changes = args.ids.map((archiveId): MetadataChange => ({ op: 'purgeArchive', archiveId }));
        return apply(ctx, changes, args.confirmDestructive).catch((error: unknown) => {
          // The engine names change i; the caller sent ids[i].
          if (!(error instanceof TouchpointError)) throw error;
          throw new TouchpointError(error.code, error.message, {
            details: { ...error.details },
            cause: error.cause,
            issues: error.issues.map((i) => ({
              ...i,
              path: i.path.replace(/^changes\[(\d+)\]\.archiveId$/, 'ids[$1]'),
            })),
          });
        });
      },
    }),
  };
}
