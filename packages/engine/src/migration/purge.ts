// Purging archives: the one place Touchpoint deletes data for good. A `purgeArchive` change becomes
// destructive steps like any other (planned, worded, confirmed, recorded in the version), dropping the
// archived columns or table. Dropped columns keep their slot among PostgreSQL's 1,600 per table until the
// table is recreated: a purge deletes the data and the names, not the slots (see `column-limit.ts`).
import type { EntityDefinition, FieldDefinition } from '@touchpoint/schema';
import { ident, tableName } from '../physical.ts';
import type { ArchiveRow } from '../system-entities.ts';
import { qualifiedName } from './ddl.ts';
import type { MigrationStep } from './plan.ts';
import type { PlanContext } from './plan-rules.ts';

/** The planner as purges need it: they look at the steps planned before them (an entity archived now). */
export interface PurgeContext extends PlanContext {
  readonly steps: MigrationStep[];
}

const key = (x: { id?: string; name: string }) => x.id ?? x.name;

/** Where an archive of a field keeps its columns now: its entity's live table, or that entity's archived one. */
function tableOfField(planner: PurgeContext, archive: ArchiveRow): string | undefined {
  const live = planner.input.to.find((e) => key(e) === archive.entityId);
  if (live) return tableName(live);
  const archivedNow = planner.steps.find(
    (s) => s.archive?.kind === 'entity' && s.archive.entityId === archive.entityId,
  );
  if (archivedNow) return archivedNow.archive?.physical.table;
  return planner.input.archives.find((a) => a.kind === 'entity' && a.entityId === archive.entityId)?.physical.table;
}

/** The entity an archived field belonged to, for the step's words. */
function entityOf(planner: PurgeContext, archive: ArchiveRow): Pick<EntityDefinition, 'name' | 'labels'> {
  const live = planner.input.to.find((e) => key(e) === archive.entityId);
  if (live) return live;
  const archived = planner.input.archives.find((a) => a.kind === 'entity' && a.entityId === archive.entityId);
  const definition = (archived?.definition ?? planner.input.from.find((e) => key(e) === archive.entityId)) as
    | EntityDefinition
    | undefined;
  return definition ?? { name: archive.entityId, labels: { en: archive.entityId, 'zh-CN': archive.entityId } };
}

async function exists(planner: PurgeContext, table: string, column?: string): Promise<boolean> {
  const { inspect, schema } = planner.input;
  if (!inspect) return false;
  const rows = await inspect.query<{ n: number }>(
    `select count(*)::int as n from pg_attribute a join pg_class c on c.oid = a.attrelid
       join pg_namespace s on s.oid = c.relnamespace
      where s.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped
        and ($3::text is null or a.attname = $3)`,
    [schema, table, column ?? null],
  );
  return (rows[0]?.n ?? 0) > 0;
}

async function count(planner: PurgeContext, table: string, column?: string): Promise<number> {
  const { inspect, schema } = planner.input;
  if (!inspect || !(await exists(planner, table, column))) return 0;
  const where = column ? ` where ${ident(column)} is not null` : '';
  const rows = await inspect.query<{ n: number }>(
    `select count(*)::int as n from ${qualifiedName(schema, table)}${where}`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Plans the purge of each archive: an entity's archived table (with the archives of fields it still holds,
 * which go with it), then each field's archived columns and join table. Planned after every other step, so
 * an entity renamed, restored or archived by the same change is found under its new table name.
 */
export async function planPurges(planner: PurgeContext, purges: ArchiveRow[]): Promise<void> {
  const { schema } = planner.input;
  const covered = new Set<number>();
  for (const archive of purges.filter((a) => a.kind === 'entity')) {
    const table = archive.physical.table!;
    const definition = archive.definition as EntityDefinition;
    const fields = planner.input.archives.filter((a) => a.kind === 'field' && a.entityId === archive.entityId);
    const sql = fields
      .filter((a) => a.physical.joinTable)
      .map((a) => ({ text: `drop table if exists ${qualifiedName(schema, a.physical.joinTable!)}` }));
    sql.push({ text: `drop table if exists ${qualifiedName(schema, table)} cascade` });
    planner.step({
      kind: 'purgeArchive',
      destructive: true,
      entity: definition.name,
      code: 'purgeArchivedTable',
      params: {
        entity: definition.name,
        entityLabels: definition.labels,
        archivedAs: table,
        archivedIn: archive.version,
        count: await count(planner, table),
      },
      sql,
      purgesArchives: [archive.id, ...fields.map((a) => a.id)],
    });
    covered.add(archive.id);
    for (const field of fields) covered.add(field.id);
  }
  for (const archive of purges.filter((a) => a.kind === 'field' && !covered.has(a.id))) {
    const definition = archive.definition as FieldDefinition;
    const entity = entityOf(planner, archive);
    const table = tableOfField(planner, archive);
    const columns = Object.values(archive.physical.columns ?? {});
    const sql = columns.flatMap((column) =>
      table
        ? [{ text: `alter table if exists ${qualifiedName(schema, table)} drop column if exists ${ident(column)}` }]
        : [],
    );
    if (archive.physical.joinTable) {
      sql.push({ text: `drop table if exists ${qualifiedName(schema, archive.physical.joinTable)}` });
    }
    planner.step({
      kind: 'purgeArchive',
      destructive: true,
      entity: entity.name,
      field: definition.name,
      code: 'purgeArchivedField',
      params: {
        entity: entity.name,
        entityLabels: entity.labels,
        field: definition.name,
        fieldLabels: definition.labels,
        archivedAs: [...columns, ...(archive.physical.joinTable ? [archive.physical.joinTable] : [])].join(', '),
        archivedIn: archive.version,
        count: table && columns[0] ? await count(planner, table, columns[0]) : 0,
      },
      sql,
      purgesArchives: [archive.id],
    });
  }
}
