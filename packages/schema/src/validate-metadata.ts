// Checks across entities: unique names and plurals, relation targets, inverse names free on the target,
// rollups over a to-many relation of their entity. Each entity is also checked on its own first.
import { type Issue, IssueCollector } from './errors.ts';
import { pluralize } from './naming.ts';
import {
  buildCatalog,
  type EntityCatalog,
  type FieldEntry,
  isSortable,
  isStored,
  referToField,
} from './validate-catalog.ts';
import { validateEntityInto } from './validate-entity.ts';
import { child, isRecord, item, type RawObject } from './validate-shape.ts';

export interface ValidateMetadataOptions {
  /**
   * The file each entity came from, by index. An entity with a file gets issues carrying `file` and paths
   * relative to that file (`fields[2].type`); one without gets paths under `entities[<index>]`.
   */
  files?: readonly (string | undefined)[];
}

/** Numeric field types a sum or an average can add up. */
export const SUMMABLE_ROLLUP_TYPES = ['integer', 'decimal', 'percent', 'currency'] as const;

interface Checked {
  raw: RawObject;
  index: number;
  prefix: string;
  issues: IssueCollector;
  catalog: EntityCatalog;
}

interface Relation {
  owner: Checked;
  entry: FieldEntry;
  target: string;
  kind: unknown;
  inverse?: string;
}

/** A to-many relation of an entity, as a rollup sees it: its name and the entity on the other side. */
interface ToMany {
  name: string;
  related: string;
}

function relationsOf(entity: Checked): Relation[] {
  const relations: Relation[] = [];
  for (const entry of entity.catalog.declared) {
    const relation = entry.field?.relation;
    if (entry.type !== 'relation' || !isRecord(relation) || typeof relation.target !== 'string') continue;
    const inverse = typeof relation.inverse === 'string' ? relation.inverse : undefined;
    relations.push({ owner: entity, entry, target: relation.target, kind: relation.kind, inverse });
  }
  return relations;
}

export function validateMetadataIssues(entities: readonly unknown[], options: ValidateMetadataOptions = {}): Issue[] {
  const files = options.files ?? [];
  const where = (index: number) => files[index] ?? item('entities', index);
  const checked: Checked[] = [];
  const collectors = entities.map((raw, index) => {
    const prefix = files[index] === undefined ? item('entities', index) : '';
    const issues = new IssueCollector();
    validateEntityInto(issues, prefix, raw);
    if (isRecord(raw)) checked.push({ raw, index, prefix, issues, catalog: buildCatalog(raw, prefix) });
    return issues;
  });

  // Names and plurals: each becomes a GraphQL root field, so no two may be the same.
  const byName = new Map<string, Checked>();
  for (const entity of checked) {
    const name = entity.raw.name;
    if (typeof name !== 'string') continue;
    const first = byName.get(name);
    if (first)
      entity.issues.add(
        child(entity.prefix, 'name'),
        `the entity "${name}" is already defined in ${where(first.index)}`,
      );
    else byName.set(name, entity);
  }
  const plurals = new Map<string, Checked>();
  for (const entity of checked) {
    const { name, pluralName } = entity.raw;
    if (typeof name !== 'string') continue;
    const plural = typeof pluralName === 'string' ? pluralName : pluralize(name);
    const at = child(entity.prefix, typeof pluralName === 'string' ? 'pluralName' : 'name');
    const owner = byName.get(plural);
    const other = plurals.get(plural);
    if (owner && owner !== entity) {
      entity.issues.add(at, `the plural name "${plural}" is the name of the entity in ${where(owner.index)}`);
    } else if (other && other.raw.name !== name) {
      entity.issues.add(at, `the plural name "${plural}" is also the plural of the entity in ${where(other.index)}`);
    } else plurals.set(plural, entity);
  }

  const relations = checked.flatMap(relationsOf);
  checkRelations(relations, byName, where);
  checkRollups(checked, relations, byName);

  return collectors.flatMap((collector, index) => {
    const file = files[index];
    return file === undefined ? collector.issues : collector.issues.map((issue) => ({ ...issue, file }));
  });
}

function checkRelations(relations: Relation[], byName: Map<string, Checked>, where: (index: number) => string): void {
  const entityNames = [...byName.keys()];
  const inverses = new Map<string, Relation>();
  for (const relation of relations) {
    const { owner, entry, target, inverse } = relation;
    const relationPath = child(entry.path!, 'relation');
    const targetEntity = byName.get(target);
    if (!targetEntity) {
      owner.issues.add(
        child(relationPath, 'target'),
        `the target entity "${target}" does not exist; entities: ${entityNames.join(', ')}`,
        {
          allowed: entityNames,
        },
      );
      continue;
    }
    if (inverse === undefined) continue;
    const at = child(relationPath, 'inverse');
    const taken = targetEntity.catalog.lookup(inverse);
    const key = `${target}.${inverse}`;
    const earlier = inverses.get(key);
    if (taken?.field) {
      owner.issues.add(
        at,
        `the inverse name "${inverse}" is already a field of ${target} (${targetEntity.prefix ? '' : `${where(targetEntity.index)} `}${taken.path})`,
      );
    } else if (earlier) {
      const by = `${earlier.owner.raw.name as string}.${earlier.entry.name}`;
      owner.issues.add(at, `the inverse name "${inverse}" is already on ${target}, as the inverse of ${by}`);
    } else {
      const idOf = targetEntity.catalog.declared.find((f) => f.type === 'relation' && `${f.name}Id` === inverse);
      if (idOf) {
        owner.issues.add(
          at,
          `the inverse name "${inverse}" is taken on ${target} by the id of its relation "${idOf.name}"`,
        );
      }
    }
    if (!earlier) inverses.set(key, relation);
  }
}

/** The to-many relations of an entity: its many-to-many fields and the inverses pointing at it. */
function toManyOf(entity: Checked, relations: Relation[]): ToMany[] {
  const name = entity.raw.name;
  const found: ToMany[] = [];
  for (const r of relations) {
    if (r.owner === entity && r.kind === 'manyToMany') found.push({ name: r.entry.name, related: r.target });
    if (r.target === name && r.inverse !== undefined)
      found.push({ name: r.inverse, related: r.owner.raw.name as string });
  }
  return found;
}

function checkRollups(checked: Checked[], relations: Relation[], byName: Map<string, Checked>): void {
  for (const entity of checked) {
    const toMany = toManyOf(entity, relations);
    for (const entry of entity.catalog.declared) {
      const rollup = entry.field?.rollup;
      if (entry.type !== 'rollup' || !isRecord(rollup) || typeof rollup.relation !== 'string') continue;
      const at = child(entry.path!, 'rollup');
      const via = toMany.find((t) => t.name === rollup.relation);
      if (!via) {
        const own = entity.catalog.lookup(rollup.relation);
        const names = [...new Set(toMany.map((t) => t.name))];
        const why =
          own?.type === 'relation'
            ? `"${rollup.relation}" points at one record; a rollup needs a to-many relation`
            : `"${rollup.relation}" is not a to-many relation of ${String(entity.raw.name)}`;
        entity.issues.add(child(at, 'relation'), `${why}; to-many relations: ${names.join(', ') || 'none'}`, {
          allowed: names,
        });
        continue;
      }
      const related = byName.get(via.related);
      if (!related || typeof rollup.field !== 'string') continue;
      const fn = rollup.fn;
      referToField(
        entity.issues,
        child(at, 'field'),
        rollup.field,
        related.catalog,
        `the rollup over ${via.name}`,
        (target) => {
          if (!isStored(target)) return `rollups aggregate stored fields, and it is a ${target.type} field`;
          if ((fn === 'sum' || fn === 'avg') && !(SUMMABLE_ROLLUP_TYPES as readonly string[]).includes(target.type)) {
            return `${fn} needs a number field (${SUMMABLE_ROLLUP_TYPES.join(', ')}), and it is a ${target.type} field`;
          }
          if ((fn === 'min' || fn === 'max') && !isSortable(target))
            return `${target.type} fields have no order for ${fn}`;
          if (target.type === 'currency' && fn !== 'count' && !target.field?.currencyCode) {
            return `${fn} over a currency field aggregates the amounts of one currency (there are no exchange rates), so the field needs a currencyCode; amounts in other currencies are left out`;
          }
          return undefined;
        },
      );
    }
  }
}
