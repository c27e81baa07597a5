// The GraphQL types of one entity, generated from its metadata: the record type, its enums, filter,
// order, input, connection and aggregate types.
import {
  type EntityDefinition,
  type FieldDefinition,
  fieldType,
  pascalCase,
  relationInputName,
} from '@touchpoint/schema';
import type { RelationEdge } from '../graph.ts';
import type { AnyRef, Builder, Row, SharedTypes } from './shared-types.ts';

export interface EntityTypes {
  entity: EntityDefinition;
  typeName: string;
  object: AnyRef;
  connection: AnyRef;
  filter: AnyRef;
  listFilter: AnyRef;
  orderBy: AnyRef;
  input: AnyRef;
  groupField: AnyRef;
  aggregateGroup: AnyRef;
  enums: Map<string, AnyRef>;
}

export const SYSTEM_OUTPUT_FIELDS: readonly { name: string; type: string; nullable: boolean; description: string }[] = [
  { name: 'id', type: 'ID', nullable: false, description: 'Stable identifier of the record.' },
  { name: 'createdAt', type: 'DateTime', nullable: false, description: 'When the record was created.' },
  { name: 'updatedAt', type: 'DateTime', nullable: false, description: 'When the record last changed.' },
  { name: 'createdBy', type: 'String', nullable: true, description: 'Who created the record.' },
  { name: 'updatedBy', type: 'String', nullable: true, description: 'Who changed the record last.' },
  {
    name: 'version',
    type: 'Int',
    nullable: false,
    description: 'Increases with every change; pass it as expectedVersion to detect concurrent edits.',
  },
  { name: 'deletedAt', type: 'DateTime', nullable: true, description: 'Set while the record is deleted.' },
];

const SYSTEM_FILTERS: readonly [string, 'id' | 'datetime' | 'string'][] = [
  ['id', 'id'],
  ['createdAt', 'datetime'],
  ['updatedAt', 'datetime'],
  ['createdBy', 'string'],
  ['updatedBy', 'string'],
];

function describe(field: FieldDefinition): string | undefined {
  const parts = [field.labels.en, field.helpText?.en].filter(Boolean);
  return parts.length > 0 ? parts.join(' — ') : undefined;
}

/** Declares the types of an entity; fields are thunks, so entities may refer to each other in any order. */
export function declareEntityTypes(
  builder: Builder,
  shared: SharedTypes,
  entity: EntityDefinition,
  relations: RelationEdge[],
  all: Map<string, EntityTypes>,
): EntityTypes {
  const typeName = pascalCase(entity.name);
  const enums = new Map<string, AnyRef>();
  for (const field of entity.fields) {
    if (field.type !== 'select' && field.type !== 'multiSelect') continue;
    enums.set(
      field.name,
      builder.enumType(`${typeName}${pascalCase(field.name)}`, {
        description: `Options of ${entity.name}.${field.name}.`,
        values: Object.fromEntries(
          (field.options ?? []).map((o) => [
            o.value,
            { value: o.value, description: `${o.labels.en} / ${o.labels['zh-CN']}` },
          ]),
        ),
      }),
    );
  }
  const scalarOutput = (field: FieldDefinition): AnyRef => {
    const shape = fieldType(field).graphql(field);
    if (shape === 'enum') return enums.get(field.name);
    if (shape === 'enumList') return [enums.get(field.name)];
    if (shape === 'Money') return shared.money;
    return shape;
  };

  const object = builder.objectRef<Row>(typeName).implement({
    description: entity.description?.en ?? entity.labels.en,
    fields: (t) => {
      const fields: Record<string, AnyRef> = {};
      for (const system of SYSTEM_OUTPUT_FIELDS) {
        fields[system.name] = t.field({
          type: system.type as never,
          nullable: system.nullable,
          description: system.description,
          resolve: (row: Row) => row[system.name] as never,
        });
      }
      for (const field of entity.fields) {
        if (field.type === 'relation') {
          if (field.relation?.kind === 'manyToOne') {
            fields[`${field.name}Id`] = t.field({
              type: 'ID',
              description: `Id of ${field.name}.`,
              resolve: (row: Row) => row[`${field.name}Id`] as never,
            });
          }
          continue;
        }
        const name = field.name;
        fields[name] = t.field({
          type: scalarOutput(field),
          description: describe(field),
          resolve: (row: Row) => row[name] as never,
        });
      }
      for (const edge of relations) {
        const target = all.get(edge.target.name)!;
        if (!edge.toMany) {
          fields[edge.name] = t.field({
            type: target.object,
            description: edge.labels.en,
            resolve: (row: Row, _args: unknown, _ctx: unknown, info: { path: { key: string | number } }) =>
              row[info.path.key as string] as never,
          });
          continue;
        }
        fields[edge.name] = t.field({
          type: [target.object],
          nullable: false,
          description: edge.labels.en,
          args: {
            filter: t.arg({ type: target.filter }),
            orderBy: t.arg({ type: [target.orderBy] }),
            first: t.arg.int({ description: 'At most this many (default 20, at most 500).' }),
            offset: t.arg.int(),
          },
          resolve: (row: Row, _args: unknown, _ctx: unknown, info: { path: { key: string | number } }) =>
            (row[info.path.key as string] ?? []) as never,
        });
      }
      return fields;
    },
  });

  const edge = builder.objectRef<Row>(`${typeName}Edge`).implement({
    fields: (t) => ({
      cursor: t.string({ nullable: false, resolve: (e) => e.cursor as string }),
      node: t.field({ type: object, nullable: false, resolve: (e) => e.node as Row }),
    }),
  });
  const connection = builder.objectRef<Row>(`${typeName}Connection`).implement({
    fields: (t) => ({
      edges: t.field({ type: [edge], nullable: false, resolve: (c) => c.edges as Row[] }),
      nodes: t.field({ type: [object], nullable: false, resolve: (c) => c.nodes as Row[] }),
      pageInfo: t.field({ type: shared.pageInfo, nullable: false, resolve: (c) => c.pageInfo as never }),
      totalCount: t.int({
        description: 'Records matching the filter, on every page.',
        resolve: (c) => c.totalCount as number,
      }),
    }),
  });

  const types: EntityTypes = {
    entity,
    typeName,
    object,
    connection,
    enums,
    filter: undefined,
    listFilter: undefined,
    orderBy: undefined,
    input: undefined,
    groupField: undefined,
    aggregateGroup: undefined,
  };
  declareFilter(builder, shared, types, relations, all);
  declareOrderAndInput(builder, shared, types);
  declareAggregates(builder, shared, types);
  return types;
}

function declareFilter(
  builder: Builder,
  shared: SharedTypes,
  types: EntityTypes,
  relations: RelationEdge[],
  all: Map<string, EntityTypes>,
): void {
  const { entity, typeName } = types;
  const filter = builder.inputRef<Row>(`${typeName}Filter`);
  types.filter = filter;
  types.listFilter = builder.inputRef<Row>(`${typeName}ListFilter`).implement({
    description: `Matches records with related ${entity.name} records.`,
    fields: (t) => ({
      some: t.field({ type: filter, description: 'At least one related record matches.' }),
      none: t.field({ type: filter, description: 'No related record matches.' }),
      every: t.field({ type: filter, description: 'Every related record matches.' }),
    }),
  });
  filter.implement({
    description: `Conditions on ${entity.name} records; all given conditions must hold.`,
    fields: (t) => {
      const fields: Record<string, AnyRef> = {
        and: t.field({ type: [filter] }),
        or: t.field({ type: [filter] }),
        not: t.field({ type: filter }),
      };
      for (const [name, family] of SYSTEM_FILTERS) fields[name] = t.field({ type: shared.filters[family] });
      for (const field of entity.fields) {
        const family = fieldType(field).filter(field);
        if (field.type === 'relation') {
          if (field.relation?.kind === 'manyToOne') fields[`${field.name}Id`] = t.field({ type: shared.filters.id });
          continue;
        }
        if (family === 'select' || family === 'multiSelect') {
          const enumRef = types.enums.get(field.name);
          const operators =
            family === 'select'
              ? { eq: enumRef, neq: enumRef, in: [enumRef], notIn: [enumRef], isNull: 'Boolean' }
              : { containsAny: [enumRef], containsAll: [enumRef], isEmpty: 'Boolean' };
          const input = builder.inputRef<Row>(`${typeName}${pascalCase(field.name)}Filter`).implement({
            fields: (f) =>
              Object.fromEntries(Object.entries(operators).map(([op, type]) => [op, f.field({ type: type as never })])),
          });
          fields[field.name] = t.field({ type: input });
          continue;
        }
        const shared_ = shared.filters[family];
        if (shared_) fields[field.name] = t.field({ type: shared_, description: describe(field) });
      }
      for (const edge of relations) {
        const target = all.get(edge.target.name)!;
        fields[edge.name] = t.field({
          type: edge.toMany ? target.listFilter : target.filter,
          description: edge.labels.en,
        });
      }
      return fields;
    },
  });
}

/** Select fields sort in option order, multi-selects by their first option, then count; relations by title. */
function sortableFields(entity: EntityDefinition): string[] {
  return [
    'createdAt',
    'updatedAt',
    ...entity.fields
      .filter(
        (f) =>
          (fieldType(f).sortable && f.type !== 'relation') ||
          f.type === 'multiSelect' ||
          f.relation?.kind === 'manyToOne',
      )
      .map((f) => f.name),
  ];
}

function declareOrderAndInput(builder: Builder, shared: SharedTypes, types: EntityTypes): void {
  const { entity, typeName } = types;
  const sortField = builder.enumType(`${typeName}SortField`, {
    description:
      "A select sorts in the order of its options, a multi-select by its first value in option order and then by how many it has, a relation by the related record's title.",
    values: sortableFields(entity) as [string, ...string[]],
  });
  types.orderBy = builder.inputRef<Row>(`${typeName}OrderBy`).implement({
    fields: (t) => ({
      field: t.field({ type: sortField, required: true }),
      direction: t.field({ type: shared.sortDirection, defaultValue: 'asc' as never }),
    }),
  });
  types.input = builder.inputRef<Row>(`${typeName}Input`).implement({
    description: `Values of a ${entity.name}. On create, required fields must be given; on update, only the given fields change.`,
    fields: (t) => {
      const fields: Record<string, AnyRef> = {};
      for (const field of entity.fields) {
        const type = fieldType(field);
        if (!type.writable || field.readOnly) continue;
        const description = `${describe(field) ?? field.name}${field.required ? ' (required)' : ''}`;
        if (field.type === 'relation') {
          fields[relationInputName(entity, field)] = t.field({
            type: field.relation?.kind === 'manyToMany' ? ['ID'] : 'ID',
            description,
          });
          continue;
        }
        const shape = type.graphql(field);
        const input =
          shape === 'enum'
            ? types.enums.get(field.name)
            : shape === 'enumList'
              ? [types.enums.get(field.name)]
              : shape === 'Money'
                ? shared.moneyInput
                : shape;
        fields[field.name] = t.field({ type: input as never, description });
      }
      return fields;
    },
  });
}

/** Keys an aggregate may group by: select, boolean, integer, text, date/datetime and many-to-one ids. */
export function groupableFields(entity: EntityDefinition): string[] {
  return entity.fields.flatMap((f) => {
    if (f.type === 'relation') return f.relation?.kind === 'manyToOne' ? [`${f.name}Id`] : [];
    return fieldType(f).groupable ? [f.name] : [];
  });
}

function declareAggregates(builder: Builder, shared: SharedTypes, types: EntityTypes): void {
  const { entity, typeName } = types;
  const groupable = groupableFields(entity);
  const summable = entity.fields.filter((f) => fieldType(f).summable).map((f) => f.name);
  const comparable = entity.fields.filter((f) => fieldType(f).sortable && f.type !== 'relation').map((f) => f.name);
  types.groupField =
    groupable.length > 0
      ? builder.enumType(`${typeName}GroupField`, { values: groupable as [string, ...string[]] })
      : undefined;
  const keyType =
    groupable.length > 0
      ? builder.objectRef<Row>(`${typeName}AggregateKey`).implement({
          fields: (t) =>
            Object.fromEntries(
              groupable.map((name) => {
                const field = entity.fields.find((f) => f.name === name);
                const type =
                  field?.type === 'select'
                    ? types.enums.get(name)
                    : field?.type === 'boolean'
                      ? 'Boolean'
                      : field?.type === 'integer'
                        ? 'Int'
                        : 'String';
                return [name, t.field({ type, resolve: (row: Row) => row[name] as never })];
              }),
            ),
        })
      : undefined;
  const valuesType = (suffix: string, names: string[], scalar: string) =>
    names.length === 0
      ? undefined
      : builder.objectRef<Row>(`${typeName}${suffix}`).implement({
          fields: (t) =>
            Object.fromEntries(
              names.map((name) =>
                entity.fields.find((f) => f.name === name)?.type === 'currency'
                  ? // Money: one entry per currency, never a sum across currencies.
                    [
                      name,
                      t.field({
                        type: [shared.moneyAggregate],
                        nullable: false,
                        resolve: (row: Row) => (row[name] ?? []) as never,
                      }),
                    ]
                  : [name, t.field({ type: scalar as never, resolve: (row: Row) => row[name] as never })],
              ),
            ),
        });
  const sums = valuesType('SumAggregate', summable, 'Decimal');
  const extremes = valuesType('ExtremeAggregate', comparable, 'String');
  types.aggregateGroup = builder.objectRef<Row>(`${typeName}AggregateGroup`).implement({
    fields: (t) => {
      const fields: Record<string, AnyRef> = {
        count: t.int({ nullable: false, resolve: (g) => g.count as number }),
      };
      if (keyType) fields.key = t.field({ type: keyType, resolve: (g: Row) => g.keys as Row });
      if (sums) {
        fields.sum = t.field({ type: sums, resolve: (g: Row) => ((g.values as Row).sum ?? {}) as Row });
        fields.avg = t.field({ type: sums, resolve: (g: Row) => ((g.values as Row).avg ?? {}) as Row });
      }
      if (extremes) {
        fields.min = t.field({ type: extremes, resolve: (g: Row) => ((g.values as Row).min ?? {}) as Row });
        fields.max = t.field({ type: extremes, resolve: (g: Row) => ((g.values as Row).max ?? {}) as Row });
      }
      return fields;
    },
  });
}
