// Where the CRM's entities and fields live in one workspace version. Entities and fields are found by their
// stable id first (`account`, `interaction.occurredAt`), so an admin renaming a field in the designer does
// not break the CRM; then by name. Columns come from engine `physical`; tables only from the request's
// `ScopedReader` (engine scope.ts), which brings the visibility predicate with them: a model made from
// metadata alone (`crmModel`) describes, a model made from a reader (`crmReads`) also reads.
import { physical, type ScopedReader, type VisibilityOptions, type WorkspaceMetadata } from '@touchpoint/engine';
import {
  compileFormula,
  type EntityDefinition,
  type FieldDefinition,
  formulaValueTypeOf,
  TouchpointError,
} from '@touchpoint/schema';

/** What a feature needs: entity → fields. */
export type Requirement = Readonly<Record<string, readonly string[]>>;

export class CrmModel {
  readonly metadata: WorkspaceMetadata;
  /** The present in SQL (the engine's clock), for statements that compare with today or now. */
  readonly now: string;
  readonly #entities = new Map<string, EntityDefinition | undefined>();
  readonly #reader: ScopedReader | undefined;

  constructor(metadata: WorkspaceMetadata, reader?: ScopedReader) {
    this.metadata = metadata;
    this.now = metadata.compiler.now;
    this.#reader = reader;
  }

  /** The request's reads: runs the statements built with `table`. */
  get sql(): ScopedReader {
    if (!this.#reader)
      throw new Error('This CrmModel was made from metadata alone (crmModel); reads need crmReads(reader).');
    return this.#reader;
  }

  /** The entity the core model calls `name`, wherever the admin moved it; undefined when removed. */
  entity(name: string): EntityDefinition | undefined {
    if (!this.#entities.has(name)) {
      const found =
        this.metadata.entities.find((e) => (e.id ?? e.name) === name) ??
        this.metadata.entities.find((e) => e.name === name && (e.id === undefined || e.id === e.name));
      this.#entities.set(name, found);
    }
    return this.#entities.get(name);
  }

  field(entityName: string, fieldName: string): FieldDefinition | undefined {
    const entity = this.entity(entityName);
    if (!entity) return undefined;
    const id = `${entity.id ?? entity.name}.${fieldName}`;
    return entity.fields.find((f) => f.id === id) ?? entity.fields.find((f) => f.name === fieldName);
  }

  /** Missing entities and fields of a requirement, as `entity` or `entity.field`. */
  missing(requirement: Requirement): string[] {
    const missing: string[] = [];
    for (const [entity, fields] of Object.entries(requirement)) {
      if (!this.entity(entity)) missing.push(entity);
      else for (const f of fields) if (!this.field(entity, f)) missing.push(`${entity}.${f}`);
    }
    return missing;
  }

  supports(requirement: Requirement): boolean {
    return this.missing(requirement).length === 0;
  }

  /** Throws NOT_FOUND naming every missing entity and field, so an admin knows what the feature needs back. */
  require(feature: string, requirement: Requirement): void {
    const missing = this.missing(requirement);
    if (missing.length === 0) return;
    throw new TouchpointError(
      'NOT_FOUND',
      `${feature} needs ${missing.join(', ')}, which workspace "${this.metadata.workspace.slug}" does not have (removed in the designer?).`,
      { issues: missing.map((m) => ({ path: m, message: `is needed by ${feature}` })) },
    );
  }

  private need(entityName: string, fieldName?: string): { entity: EntityDefinition; field?: FieldDefinition } {
    const entity = this.entity(entityName);
    const field = fieldName === undefined ? undefined : this.field(entityName, fieldName);
    if (!entity || (fieldName !== undefined && !field)) {
      this.require('This CRM feature', { [entityName]: fieldName === undefined ? [] : [fieldName] });
    }
    return { entity: entity!, field };
  }

  /**
   * The rows of an entity this request may read, as a FROM item to give an alias (`${m.table('account')} a`):
   * the engine's `ScopedReader.from`, so no statement names a workspace table without its visibility
   * predicate. `{ includeDeleted: true }` for the reads that deliberately see deleted rows.
   */
  table(entityName: string, options?: VisibilityOptions): string {
    return this.sql.from(this.need(entityName).entity, options);
  }

  /** `alias."column"` of a stored single-column field, or of a many-to-one relation's id. */
  col(alias: string, entityName: string, fieldName: string): string {
    const field = this.need(entityName, fieldName).field!;
    if (field.type === 'relation') return `${alias}.${physical.ident(physical.relationColumn(field))}`;
    const columns = physical.fieldColumns(field);
    if (columns.length !== 1) {
      throw new TouchpointError('BAD_REQUEST', `${entityName}.${fieldName} is not a single stored column`);
    }
    return `${alias}.${physical.ident(columns[0]!.name)}`;
  }

  /** Amount and currency columns of a currency field. */
  money(alias: string, entityName: string, fieldName: string): { amount: string; currency: string } {
    const field = this.need(entityName, fieldName).field!;
    const columns = physical.fieldColumns(field);
    const amount = columns.find((c) => c.suffix === '_amount');
    const currency = columns.find((c) => c.suffix === '_currency');
    if (!amount || !currency) {
      throw new TouchpointError('BAD_REQUEST', `${entityName}.${fieldName} is not a currency field`);
    }
    return { amount: `${alias}.${physical.ident(amount.name)}`, currency: `${alias}.${physical.ident(currency.name)}` };
  }

  /** An amount in `currency` (a placeholder), or NULL: reports never add up different currencies. */
  amountIn(alias: string, entityName: string, fieldName: string, currency: string): string {
    const m = this.money(alias, entityName, fieldName);
    return `(case when ${m.currency} = ${currency} then ${m.amount} end)`;
  }

  /**
   * The value of a stored single-column field or of a formula field (compiled, inlined) — exactly the
   * expression the engine's substring indexes hold for a field with `substringSearch` — or undefined.
   */
  value(alias: string, entityName: string, fieldName: string): string | undefined {
    const { entity } = this.need(entityName);
    const field = this.field(entityName, fieldName);
    if (!field) return undefined;
    if (field.type === 'formula' && field.formula) {
      try {
        return compileFormula(field.formula.expression, (name) => {
          const operand = entity.fields.find((f) => f.name === name);
          const type = operand && formulaValueTypeOf(operand);
          if (!operand || !type || physical.fieldColumns(operand).length !== 1) return undefined;
          return { sql: this.col(alias, entityName, operand.name), type };
        }).sql;
      } catch {
        return undefined;
      }
    }
    const columns = physical.fieldColumns(field);
    return columns.length === 1 ? `${alias}.${physical.ident(columns[0]!.name)}` : undefined;
  }

  /** The record's title as text: its title field, or the title formula (e.g. contact full name) inlined. */
  title(alias: string, entityName: string): string {
    const { entity } = this.need(entityName);
    const field = entity.fields.find((f) => f.name === entity.titleField);
    const value = field && this.value(alias, entityName, field.name);
    return value ? `coalesce((${value})::text, ${alias}.id::text)` : `${alias}.id::text`;
  }

  /** Select options of a field (for messages and checks). */
  options(entityName: string, fieldName: string): string[] {
    return (this.field(entityName, fieldName)?.options ?? []).map((o) => o.value);
  }
}

const cache = new WeakMap<WorkspaceMetadata, CrmModel>();

/**
 * One model per workspace metadata version (metadata objects are replaced when the version changes), for
 * what the metadata alone answers (capabilities, field names). It runs no SQL: see `crmReads`.
 */
export function crmModel(metadata: WorkspaceMetadata): CrmModel {
  let model = cache.get(metadata);
  if (!model) {
    model = new CrmModel(metadata);
    cache.set(metadata, model);
  }
  return model;
}

/** The model of one request's reads: `table()` gives the rows its scope may see, `sql` runs the statements. */
export function crmReads(reader: ScopedReader): CrmModel {
  return new CrmModel(reader.metadata, reader);
}
