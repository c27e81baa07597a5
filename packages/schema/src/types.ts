// The metadata language: what an entity, a field and a view are. Pure data, serialisable as YAML or JSON.

/** A text in every language Touchpoint ships. Both are required so screens never show a raw API name. */
export interface Labels {
  en: string;
  'zh-CN': string;
}

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

export type FieldTypeName =
  | 'text'
  | 'longText'
  | 'email'
  | 'phone'
  | 'url'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'select'
  | 'multiSelect'
  | 'relation'
  | 'json'
  | 'autonumber'
  | 'formula'
  | 'rollup';

export interface SelectOption {
  /** Stored value; a GraphQL enum value, so letters, digits and `_`, starting with a letter. */
  value: string;
  labels: Labels;
  /** CSS colour for chips and kanban columns, `#rrggbb`. */
  color?: string;
}

export type RelationKind = 'manyToOne' | 'manyToMany';

export interface RelationOptions {
  /** API name of the target entity. */
  target: string;
  kind: RelationKind;
  /** Name of the field that appears on the target entity listing the records pointing at it. */
  inverse?: string;
  inverseLabels?: Labels;
  /** What happens to this record's reference when the target is deleted for good. */
  onDelete?: 'setNull' | 'cascade' | 'restrict';
}

export interface AutonumberOptions {
  /** Text before the number, e.g. `CASE-`. */
  prefix: string;
  /** Zero-padded width of the number, e.g. 6 gives `CASE-000123`. */
  digits: number;
  start?: number;
}

export type FormulaResultType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

export interface FormulaOptions {
  /** A safe expression over the record's fields, e.g. `amount * probability / 100`. */
  expression: string;
  resultType: FormulaResultType;
}

export type RollupFunction = 'count' | 'sum' | 'min' | 'max' | 'avg';

export interface RollupOptions {
  /** A to-many relation of this entity: the inverse of a many-to-one on another entity, or a many-to-many. */
  relation: string;
  fn: RollupFunction;
  /** Field of the related entity to aggregate; not needed for `count`. */
  field?: string;
  /** Only related records matching this filter count (same language as the API's filters). */
  filter?: Record<string, unknown>;
}

export interface FieldDefinition {
  /** Stable identity: survives renames, so a rename renames the column instead of dropping it. */
  id?: string;
  /** API name, camelCase. */
  name: string;
  type: FieldTypeName;
  labels: Labels;
  helpText?: Labels;
  required?: boolean;
  unique?: boolean;
  /** Default value for new records, in the field's input form (`{ amount, currency }` for currency). */
  default?: unknown;
  readOnly?: boolean;
  /** Numbers: inclusive bounds. Dates: ISO strings. */
  min?: number | string;
  max?: number | string;
  /** Text-like fields: bounds on the number of characters. */
  minLength?: number;
  maxLength?: number;
  /** Text-like fields: a regular expression the whole value must match. */
  pattern?: string;
  /**
   * Text-like and text formula fields: records are found by any part of the value (search), so the engine
   * keeps substring indexes on it (trigrams for 3+ characters, bigrams for 2-character CJK words).
   */
  substringSearch?: boolean;
  /** decimal, percent, currency: digits after the decimal point. */
  scale?: number;
  /** currency: the code used when the input gives none (ISO 4217). */
  currencyCode?: string;
  options?: SelectOption[];
  relation?: RelationOptions;
  autonumber?: AutonumberOptions;
  formula?: FormulaOptions;
  rollup?: RollupOptions;
  /** Keep this field's history: who changed it when, old → new (read from the audit log). */
  trackHistory?: boolean;
  /** Which layer contributed the field: `core`, `plugin:<id>` or `workspace`. Set by the engine. */
  source?: string;
}

export interface IndexDefinition {
  name?: string;
  fields: string[];
  unique?: boolean;
}

export interface SortDefinition {
  field: string;
  direction: 'asc' | 'desc';
}

export interface FormSection {
  labels: Labels;
  fields: string[];
  columns?: 1 | 2;
}

export interface ViewDefinitions {
  list?: { columns: string[] };
  form?: { sections: FormSection[] };
  kanban?: { groupBy: string };
  calendar?: { dateField: string; endField?: string };
}

export interface EntityDefinition {
  id?: string;
  /** API name, camelCase singular, e.g. `account`, `opportunityLine`. */
  name: string;
  /** Plural API name; derived from `name` when absent. */
  pluralName?: string;
  labels: Labels;
  pluralLabels?: Labels;
  description?: Labels;
  /** Field shown as the record's name in lists, pickers and titles. */
  titleField: string;
  fields: FieldDefinition[];
  indexes?: IndexDefinition[];
  defaultSort?: SortDefinition[];
  views?: ViewDefinitions;
  /** Keep the history of every field of the entity (or mark single fields with their own `trackHistory`). */
  trackHistory?: boolean;
  /** Which layer contributed the entity. Set by the engine. */
  source?: string;
}

/** The effective metadata of a workspace at one version: every entity, already layered and checked. */
export interface MetadataSnapshot {
  version: number;
  entities: EntityDefinition[];
}
