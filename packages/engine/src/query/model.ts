// The read model of the effective metadata: per entity, every selectable scalar (system fields, columns,
// relation ids, computed fields) and every relation in both directions, with how each maps onto SQL.
import type { EntityDefinition, FieldDefinition, FilterFamily, GraphQLShape } from '@touchpoint/schema';
import { fieldType, TouchpointError } from '@touchpoint/schema';
import {
  fieldColumns,
  ident,
  JOIN_SOURCE_COLUMN,
  JOIN_TARGET_COLUMN,
  joinTableName,
  qualifiedTable,
  relationColumn,
  SYSTEM_COLUMNS,
  type SystemField,
} from '../physical.ts';

/** How a value is compared, cast, sorted and rendered as JSON. */
export type ValueType =
  | 'text'
  | 'integer'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'uuid'
  | 'textArray'
  | 'json'
  | 'money';

/** A filter family of @touchpoint/schema, plus `id` for record ids and many-to-one `<relation>Id`. */
export type Family = FilterFamily | 'id';

export interface ScalarInfo {
  /** API name: the output key and the name in filters, orderBy and groupBy. */
  name: string;
  source: 'system' | 'column' | 'relationId' | 'formula' | 'rollup';
  field?: FieldDefinition;
  /** The column (the amount column for money). */
  column?: string;
  currencyColumn?: string;
  valueType: ValueType;
  family: Family;
  sortable: boolean;
  searchable: boolean;
  groupable: boolean;
  summable: boolean;
}

export type RelationInfo =
  | { kind: 'manyToOne'; name: string; target: EntityModel; column: string }
  /** The inverse of a many-to-one declared on `target`: target rows whose `column` holds our id. */
  | { kind: 'oneToMany'; name: string; target: EntityModel; column: string }
  /** Either side of a many-to-many: `ownColumn` holds our id in the join table, `otherColumn` the target's. */
  | {
      kind: 'manyToMany';
      name: string;
      target: EntityModel;
      joinTable: string;
      ownColumn: string;
      otherColumn: string;
    };

export interface EntityModel {
  def: EntityDefinition;
  /** `"ws_x"."account"` */
  table: string;
  scalars: Map<string, ScalarInfo>;
  relations: Map<string, RelationInfo>;
}

const SHAPE_TYPES: Partial<Record<GraphQLShape, ValueType>> = {
  String: 'text',
  Int: 'integer',
  Float: 'numeric',
  Decimal: 'numeric',
  Boolean: 'boolean',
  Date: 'date',
  DateTime: 'timestamp',
  JSON: 'json',
  Money: 'money',
  enum: 'text',
  enumList: 'textArray',
};

const FORMULA_TYPES = {
  text: 'text',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp',
} as const;

const SYSTEM_SCALARS: Record<SystemField, Pick<ScalarInfo, 'valueType' | 'family' | 'groupable'>> = {
  id: { valueType: 'uuid', family: 'id', groupable: false },
  createdAt: { valueType: 'timestamp', family: 'datetime', groupable: true },
  updatedAt: { valueType: 'timestamp', family: 'datetime', groupable: true },
  createdBy: { valueType: 'text', family: 'string', groupable: true },
  updatedBy: { valueType: 'text', family: 'string', groupable: true },
  version: { valueType: 'integer', family: 'number', groupable: false },
  deletedAt: { valueType: 'timestamp', family: 'datetime', groupable: true },
};

function metadataError(path: string, message: string): TouchpointError {
  return new TouchpointError('VALIDATION_FAILED', `The metadata cannot be queried: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

function fieldScalar(field: FieldDefinition): ScalarInfo | undefined {
  const type = fieldType(field);
  const base = {
    name: field.name,
    field,
    family: type.filter(field),
    sortable: type.sortable,
    searchable: type.searchable,
    groupable: type.groupable,
    summable: type.summable,
  };
  if (field.type === 'formula') {
    const valueType = FORMULA_TYPES[field.formula?.resultType ?? 'text'];
    return { ...base, source: 'formula', valueType, searchable: valueType === 'text' };
  }
  if (field.type === 'rollup') return { ...base, source: 'rollup', valueType: 'numeric' };
  const valueType = SHAPE_TYPES[type.graphql(field)];
  const columns = fieldColumns(field);
  if (!valueType || columns.length === 0) return undefined;
  if (valueType === 'money') {
    const amount = columns.find((c) => c.suffix === '_amount');
    const currency = columns.find((c) => c.suffix === '_currency');
    if (!amount || !currency) return undefined;
    return { ...base, source: 'column', valueType, column: amount.name, currencyColumn: currency.name };
  }
  if (columns.length !== 1) return undefined;
  return { ...base, source: 'column', valueType, column: columns[0]!.name };
}

/** Builds the model of every entity; relations are resolved in both directions. */
export function buildModel(entities: readonly EntityDefinition[], schema: string): Map<string, EntityModel> {
  const models = new Map<string, EntityModel>();
  for (const def of entities) {
    const scalars = new Map<string, ScalarInfo>();
    for (const [name, column] of Object.entries(SYSTEM_COLUMNS) as [SystemField, string][]) {
      scalars.set(name, {
        name,
        source: 'system',
        column,
        sortable: true,
        searchable: false,
        summable: false,
        ...SYSTEM_SCALARS[name],
      });
    }
    models.set(def.name, { def, table: qualifiedTable(schema, def), scalars, relations: new Map() });
  }
  const inverses: [EntityModel, RelationInfo][] = [];
  for (const model of models.values()) {
    for (const field of model.def.fields) {
      if (field.type !== 'relation') {
        const scalar = fieldScalar(field);
        if (scalar) model.scalars.set(field.name, scalar);
        continue;
      }
      const path = `${model.def.name}.${field.name}.relation`;
      const options = field.relation;
      if (!options) throw metadataError(path, 'a relation field needs relation options');
      const target = models.get(options.target);
      if (!target) throw metadataError(`${path}.target`, `entity "${options.target}" does not exist`);
      if (options.kind === 'manyToOne') {
        const column = relationColumn(field);
        model.relations.set(field.name, { kind: 'manyToOne', name: field.name, target, column });
        model.scalars.set(`${field.name}Id`, {
          name: `${field.name}Id`,
          source: 'relationId',
          field,
          column,
          valueType: 'uuid',
          family: 'id',
          sortable: false,
          searchable: false,
          groupable: true,
          summable: false,
        });
        if (options.inverse)
          inverses.push([target, { kind: 'oneToMany', name: options.inverse, target: model, column }]);
        continue;
      }
      const joinTable = `${ident(schema)}.${ident(joinTableName(model.def, field))}`;
      model.relations.set(field.name, {
        kind: 'manyToMany',
        name: field.name,
        target,
        joinTable,
        ownColumn: JOIN_SOURCE_COLUMN,
        otherColumn: JOIN_TARGET_COLUMN,
      });
      if (options.inverse) {
        inverses.push([
          target,
          {
            kind: 'manyToMany',
            name: options.inverse,
            target: model,
            joinTable,
            ownColumn: JOIN_TARGET_COLUMN,
            otherColumn: JOIN_SOURCE_COLUMN,
          },
        ]);
      }
    }
  }
  // Declared fields win over inverse names; metadata validation reports such clashes, the read path just stays sane.
  for (const [model, relation] of inverses) {
    if (!model.scalars.has(relation.name) && !model.relations.has(relation.name)) {
      model.relations.set(relation.name, relation);
    }
  }
  return models;
}
