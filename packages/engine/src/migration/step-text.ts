// What a migration step says, as data: a code and its parameters, so a client can put the step in its
// user's language, and the English sentence made from them (the API's `description`, the CLI, errors).
// A new code needs its sentence here and in every client that translates steps (apps/web `plan-text.ts`).
import type { EntityDefinition, FieldDefinition, Labels } from '@touchpoint/schema';

export type StepCode =
  | 'createTable'
  | 'renameTable'
  | 'restoreTable'
  | 'archiveTable'
  | 'addField'
  | 'addFieldWithDefault'
  | 'addRequiredFieldToFilledTable'
  | 'linkManyToMany'
  | 'addReference'
  | 'renameField'
  | 'restoreField'
  | 'archiveField'
  | 'removeFieldStoringNothing'
  | 'changeTypeArchivingValues'
  | 'changeTypeWidening'
  | 'changeTypeNarrowing'
  | 'changeTypeKeepingValues'
  | 'changeTypeInvalidValues'
  | 'makeRequired'
  | 'makeRequiredWithEmptyValues'
  | 'addUnique'
  | 'dropUnique'
  | 'removeOptions'
  | 'limitLength'
  | 'addIndex'
  | 'dropIndex'
  | 'addSortIndex'
  | 'dropSortIndex'
  | 'addDerivedIndex'
  | 'dropDerivedIndex'
  | 'purgeArchivedField'
  | 'purgeArchivedTable';

/**
 * The parameters of a step; which ones a code has is fixed per code (see `describeStep`). Names are API
 * names; the labels are those of the definitions the step works on, for clients that show labels.
 */
export interface StepParams {
  entity: string;
  entityLabels?: Labels;
  field?: string;
  fieldLabels?: Labels;
  /** The former name (renames). */
  from?: string;
  /** Field types: the former and the new one. */
  fromType?: string;
  type?: string;
  target?: string;
  targetLabels?: Labels;
  /** Records affected: rows, values, records with no value or with values the new definition refuses. */
  count?: number;
  /** Fields in the new table (createTable). */
  fieldCount?: number;
  archivedAs?: string;
  /** The version that archived what a purge deletes. */
  archivedIn?: number;
  options?: string[];
  maxLength?: number;
  /** Index columns: field names, or `field direction` for a sort index. */
  fields?: string[];
  unique?: boolean;
  /** A derived index: the name of the field type's index (`key`, `digits`, `trgm`, `bigram`) or of a dropped one. */
  index?: string;
  purpose?: string;
}

export interface StepMessage {
  code: StepCode;
  params: StepParams;
}

const q = (text: string | undefined) => `"${text ?? ''}"`;

const SENTENCES: Record<StepCode, (p: StepParams) => string> = {
  createTable: (p) => `Create the table for the new entity ${q(p.entity)} with ${p.fieldCount} field(s).`,
  renameTable: (p) => `Rename the entity ${q(p.from)} to ${q(p.entity)}; its records stay as they are.`,
  restoreTable: (p) => `Restore the archived entity ${q(p.entity)} with all its records.`,
  archiveTable: (p) =>
    `Remove the entity ${q(p.entity)} and its ${p.count} record(s) from use; the table is archived as ${q(p.archivedAs)} and can be restored.`,
  addField: (p) => `Add the ${p.type} field ${q(p.field)} to ${q(p.entity)}.`,
  addFieldWithDefault: (p) =>
    `Add the ${p.type} field ${q(p.field)} to ${q(p.entity)}. Existing records get the default value.`,
  addRequiredFieldToFilledTable: (p) =>
    `Add the ${p.type} field ${q(p.field)} to ${q(p.entity)}. ${p.count} existing record(s) will have no value for this required field until someone fills it in.`,
  linkManyToMany: (p) => `Link ${q(p.entity)} and ${q(p.target)} many-to-many through ${q(p.field)}.`,
  addReference: (p) => `Make ${q(`${p.entity}.${p.field}`)} a reference to ${q(p.target)} records.`,
  renameField: (p) => `Rename the field ${q(`${p.entity}.${p.from}`)} to ${q(p.field)}; its values stay.`,
  restoreField: (p) => `Restore the archived field ${q(`${p.entity}.${p.field}`)} with its values.`,
  archiveField: (p) =>
    `Remove the field ${q(`${p.entity}.${p.field}`)}. Its values (${p.count} record(s) have one) are archived and can be restored.`,
  removeFieldStoringNothing: (p) =>
    `Remove the field ${q(`${p.entity}.${p.field}`)}. It stores nothing, so nothing is archived.`,
  changeTypeArchivingValues: (p) =>
    `Change ${q(`${p.entity}.${p.field}`)} from ${p.fromType} to ${p.type}. The old values cannot be converted: they are archived and the field starts empty.`,
  changeTypeWidening: (p) =>
    `Change ${q(`${p.entity}.${p.field}`)} from ${p.fromType} to ${p.type}; every value converts without loss.`,
  changeTypeNarrowing: (p) =>
    `Change ${q(`${p.entity}.${p.field}`)} from ${p.fromType} to ${p.type}. Values may be rounded or refused; a copy of the old values is archived.`,
  changeTypeKeepingValues: (p) =>
    `Change ${q(`${p.entity}.${p.field}`)} from ${p.fromType} to ${p.type}; stored values stay as they are.`,
  changeTypeInvalidValues: (p) =>
    `Change ${q(`${p.entity}.${p.field}`)} from ${p.fromType} to ${p.type}. ${p.count} record(s) hold values the new type does not accept; they stay stored and must be corrected on their next edit.`,
  makeRequired: (p) => `Make ${q(`${p.entity}.${p.field}`)} required; every record already has a value.`,
  makeRequiredWithEmptyValues: (p) =>
    `Make ${q(`${p.entity}.${p.field}`)} required. ${p.count} record(s) have no value; they keep working but must be completed on their next edit.`,
  addUnique: (p) => `Require ${q(`${p.entity}.${p.field}`)} to be unique among live records.`,
  dropUnique: (p) => `Allow the same value of ${q(`${p.entity}.${p.field}`)} in several records.`,
  removeOptions: (p) =>
    `Remove the option(s) ${(p.options ?? []).join(', ')} of ${q(`${p.entity}.${p.field}`)}.${p.count ? ` ${p.count} record(s) use them; their values stay stored and must be changed on their next edit.` : ''}`,
  limitLength: (p) =>
    `Limit ${q(`${p.entity}.${p.field}`)} to ${p.maxLength} characters. ${p.count} record(s) are longer; they stay stored and must be shortened on their next edit.`,
  addIndex: (p) => `Add ${p.unique ? 'a unique' : 'an'} index on ${q(p.entity)} (${(p.fields ?? []).join(', ')}).`,
  dropIndex: (p) => `Drop the index on ${q(p.entity)} (${(p.fields ?? []).join(', ')}).`,
  addSortIndex: (p) => `Index the default order of ${q(p.entity)} (${(p.fields ?? []).join(', ')}).`,
  dropSortIndex: (p) => `Drop the index of the former default order of ${q(p.entity)}.`,
  addDerivedIndex: (p) => `Index ${q(`${p.entity}.${p.field}`)} for ${p.purpose}.`,
  dropDerivedIndex: (p) => `Drop the index ${q(p.index)} of ${q(p.entity)}, which no field needs any more.`,
  purgeArchivedField: (p) =>
    `Delete for good the values of the field ${q(`${p.entity}.${p.field}`)} archived in version ${p.archivedIn} (${q(p.archivedAs)}; ${p.count} record(s) have one). They can no longer be restored.`,
  purgeArchivedTable: (p) =>
    `Delete for good the entity ${q(p.entity)} archived in version ${p.archivedIn} (table ${q(p.archivedAs)}) and its ${p.count} record(s). It can no longer be restored.`,
};

/** The step in English, one sentence an admin understands. */
export function describeStep(message: StepMessage): string {
  return SENTENCES[message.code](message.params);
}

/** The names and labels of what a step works on, the parameters every step about a field shares. */
export function fieldParams(entity: EntityDefinition, field?: FieldDefinition): StepParams {
  return {
    entity: entity.name,
    entityLabels: entity.labels,
    ...(field ? { field: field.name, fieldLabels: field.labels } : {}),
  };
}
