// Indexes the engine derives from field types (a phone field's key), as opposed to the ones an entity
// declares. They are planned against what the database really has (its catalog), not only against the
// previous metadata: a workspace built before a field type gained an index gets it at its next migration
// (e.g. the layer sync at start), and one dropped by hand comes back.
import { createHash } from 'node:crypto';
import type { EntityDefinition, ExpressionIndex, FieldDefinition } from '@touchpoint/schema';
import { fieldType } from '@touchpoint/schema';
import { fieldColumns, ident, qualifiedTable, tableName } from '../physical.ts';
import { dropIndex, objectName } from './ddl.ts';
import type { PlanContext } from './plan-rules.ts';

/** Every derived index name starts with this, so the planner can tell its own indexes in the catalog. */
export const DERIVED_INDEX_PREFIX = 'dx_';

export interface DerivedIndex {
  name: string;
  entity: EntityDefinition;
  field: FieldDefinition;
  spec: ExpressionIndex;
  sql: string;
}

function derivedIndexesOf(entity: EntityDefinition, schema: string): DerivedIndex[] {
  const result: DerivedIndex[] = [];
  for (const field of entity.fields) {
    const specs = fieldType(field).indexes?.(field) ?? [];
    const columns = fieldColumns(field);
    if (specs.length === 0 || columns.length !== 1) continue;
    const column = columns[0]!.name;
    for (const spec of specs) {
      const expression = spec.expression(ident(column));
      // The expression's text is part of the name: a field type that changes its expression gets a new
      // index (and the old one is dropped) instead of an index that no longer matches the queries.
      const shape = createHash('sha1').update(spec.expression('$')).digest('hex').slice(0, 8);
      const name = objectName(
        'dx',
        `${tableName(entity)}_${column}_${spec.name}`,
        entity.id ?? entity.name,
        field.id ?? field.name,
        spec.name,
        shape,
      );
      const sql = `create index ${ident(name)} on ${qualifiedTable(schema, entity)} ((${expression})) where "deleted_at" is null`;
      result.push({ name, entity, field, spec, sql });
    }
  }
  return result;
}

/** The derived indexes of every entity of a metadata version. */
export function derivedIndexes(entities: EntityDefinition[], schema: string): DerivedIndex[] {
  return entities.flatMap((e) => derivedIndexesOf(e, schema));
}

/**
 * The derived indexes the workspace schema has now (name → table), or, without a database to look at,
 * those the previous metadata implies.
 */
async function existingDerivedIndexes(planner: PlanContext): Promise<Map<string, string>> {
  const { inspect, schema, from } = planner.input;
  if (!inspect) return new Map(derivedIndexes(from, schema).map((d) => [d.name, tableName(d.entity)]));
  const rows = await inspect.query<{ name: string; table: string }>(
    `select indexname as name, tablename as "table" from pg_indexes where schemaname = $1 and starts_with(indexname, $2)`,
    [schema, DERIVED_INDEX_PREFIX],
  );
  return new Map(rows.map((r) => [r.name, r.table]));
}

/** Adds the derived indexes the new metadata wants and the database lacks; drops those no field wants. */
export async function planDerivedIndexes(planner: PlanContext): Promise<void> {
  const { schema, to } = planner.input;
  const existing = await existingDerivedIndexes(planner);
  const wanted = derivedIndexes(to, schema);
  const wantedNames = new Set(wanted.map((d) => d.name));
  for (const index of wanted) {
    if (existing.has(index.name)) continue;
    planner.step({
      kind: 'addIndex',
      destructive: false,
      entity: index.entity.name,
      field: index.field.name,
      description: `Index "${index.entity.name}.${index.field.name}" for ${index.spec.purpose}.`,
      sql: [{ text: index.sql }],
    });
  }
  for (const [name, table] of existing) {
    if (wantedNames.has(name)) continue;
    const entity = planner.input.from.find((e) => tableName(e) === table)?.name ?? table;
    planner.step({
      kind: 'dropIndex',
      destructive: false,
      entity,
      description: `Drop the index "${name}" of "${entity}", which no field needs any more.`,
      sql: [{ text: dropIndex(schema, name) }],
    });
  }
}
