// Indexes the engine derives from field types (a phone field's key, the substring indexes of a field with
// `substringSearch`), as opposed to the ones an entity declares. They are planned against what the database really has (its catalog), not only against the
// previous metadata: a workspace built before a field type gained an index gets it at its next migration
// (e.g. the layer sync at start), and one dropped by hand comes back.
import { createHash } from 'node:crypto';
import type { EntityDefinition, ExpressionIndex, FieldDefinition } from '@touchpoint/schema';
import { compileFormula, fieldType, formulaValueTypeOf } from '@touchpoint/schema';
import { columnBase, fieldColumns, ident, qualifiedTable, tableName } from '../physical.ts';
import type { TextSearchSupport } from '../text-search.ts';
import { dropIndex, objectName } from './ddl.ts';
import type { PlanContext } from './plan-rules.ts';
import { fieldParams } from './step-text.ts';

/** Every derived index name starts with this, so the planner can tell its own indexes in the catalog. */
export const DERIVED_INDEX_PREFIX = 'dx_';

export interface DerivedIndex {
  name: string;
  entity: EntityDefinition;
  field: FieldDefinition;
  spec: ExpressionIndex;
  /** The DDL, or null when this database cannot have the index (no pg_trgm): kept if present, not created. */
  sql: string | null;
}

/**
 * The SQL of a field's value an index can hold: its column, or its compiled formula (validation admits
 * `substringSearch` only on formulas that compile to an immutable expression over stored columns).
 */
function valueSql(entity: EntityDefinition, field: FieldDefinition): { value: string; readable: string } | undefined {
  if (field.type === 'formula' && field.formula) {
    try {
      const compiled = compileFormula(field.formula.expression, (name) => {
        const operand = entity.fields.find((f) => f.name === name);
        const type = operand && formulaValueTypeOf(operand);
        const columns = operand ? fieldColumns(operand) : [];
        return type && columns.length === 1 ? { sql: ident(columns[0]!.name), type } : undefined;
      });
      return { value: compiled.sql, readable: columnBase(field) };
    } catch {
      return undefined;
    }
  }
  const columns = fieldColumns(field);
  return columns.length === 1 ? { value: ident(columns[0]!.name), readable: columns[0]!.name } : undefined;
}

function indexDdl(
  name: string,
  table: string,
  spec: ExpressionIndex,
  expression: string,
  support: TextSearchSupport,
): string | null {
  const method = spec.method ?? 'btree';
  if (method === 'trigram' && !support.trigramOpclass) return null;
  if (method === 'gin' && !support.bigrams) return null;
  const element = method === 'trigram' ? `(${expression}) ${support.trigramOpclass}` : `(${expression})`;
  const using = method === 'btree' ? '' : ' using gin';
  return `create index ${ident(name)} on ${table}${using} (${element}) where "deleted_at" is null`;
}

const NO_TEXT_SEARCH: TextSearchSupport = { trigramOpclass: null, bigrams: false };

function derivedIndexesOf(entity: EntityDefinition, schema: string, support: TextSearchSupport): DerivedIndex[] {
  const result: DerivedIndex[] = [];
  for (const field of entity.fields) {
    const specs = fieldType(field).indexes?.(field) ?? [];
    if (specs.length === 0) continue;
    const value = valueSql(entity, field);
    if (!value) continue;
    for (const spec of specs) {
      const expression = spec.expression(value.value);
      // The expression's text is part of the name: a field type that changes its expression (or a formula
      // that changes) gets a new index, and the old one is dropped, instead of one the queries no longer match.
      const shape = createHash('sha1')
        .update(`${spec.method ?? 'btree'}:${spec.expression(value.value)}`)
        .digest('hex')
        .slice(0, 8);
      const name = objectName(
        'dx',
        `${tableName(entity)}_${value.readable}_${spec.name}`,
        entity.id ?? entity.name,
        field.id ?? field.name,
        spec.name,
        shape,
      );
      result.push({
        name,
        entity,
        field,
        spec,
        sql: indexDdl(name, qualifiedTable(schema, entity), spec, expression, support),
      });
    }
  }
  return result;
}

/** The derived indexes of every entity of a metadata version. */
export function derivedIndexes(
  entities: EntityDefinition[],
  schema: string,
  support: TextSearchSupport = NO_TEXT_SEARCH,
): DerivedIndex[] {
  return entities.flatMap((e) => derivedIndexesOf(e, schema, support));
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
  const { schema, to, textSearch } = planner.input;
  const existing = await existingDerivedIndexes(planner);
  const wanted = derivedIndexes(to, schema, textSearch);
  const wantedNames = new Set(wanted.map((d) => d.name));
  for (const index of wanted) {
    if (existing.has(index.name) || index.sql === null) continue;
    planner.step({
      kind: 'addIndex',
      destructive: false,
      entity: index.entity.name,
      field: index.field.name,
      code: 'addDerivedIndex',
      params: { ...fieldParams(index.entity, index.field), index: index.spec.name, purpose: index.spec.purpose },
      sql: [{ text: index.sql }],
    });
  }
  for (const [name, table] of existing) {
    if (wantedNames.has(name)) continue;
    const definition = planner.input.from.find((e) => tableName(e) === table);
    const entity = definition?.name ?? table;
    planner.step({
      kind: 'dropIndex',
      destructive: false,
      entity,
      code: 'dropDerivedIndex',
      params: { ...(definition ? fieldParams(definition) : { entity }), index: name },
      sql: [{ text: dropIndex(schema, name) }],
    });
  }
}
