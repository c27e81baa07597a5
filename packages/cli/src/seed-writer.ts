// Writes demo records through the record service, so seeded data passes the same validation as user input.
// Rows are fitted to the workspace's metadata first: a field or select option the admin removed is left
// out instead of failing the seed, and an entity that no longer exists is skipped.
import type { RecordService, WorkspaceMetadata } from '@touchpoint/engine';
import { MAX_BATCH } from '@touchpoint/engine';
import { pluralize } from '@touchpoint/schema';

export type Row = Record<string, unknown>;

interface Shape {
  plural: string;
  /** Field name → allowed select values, or null for any value. */
  fields: Map<string, Set<string> | null>;
}

export class SeedWriter {
  /** Records created, by plural entity name (`accounts`, `contacts`, …). */
  readonly counts: Record<string, number> = {};
  readonly #records: RecordService;
  readonly #shapes = new Map<string, Shape>();

  readonly #parallel: boolean;

  /** `parallel`: independent writes may overlap (a PostgreSQL server); the embedded database takes one at a time. */
  constructor(records: RecordService, metadata: WorkspaceMetadata, parallel: boolean) {
    this.#records = records;
    this.#parallel = parallel;
    for (const entity of metadata.entities) {
      const fields = new Map<string, Set<string> | null>();
      for (const field of entity.fields) {
        fields.set(field.name, field.type === 'select' ? new Set((field.options ?? []).map((o) => o.value)) : null);
      }
      const plural = entity.pluralName ?? pluralize(entity.name);
      this.#shapes.set(entity.name, { plural, fields });
      this.counts[plural] = 0;
    }
  }

  has(entity: string): boolean {
    return this.#shapes.has(entity);
  }

  hasField(entity: string, field: string): boolean {
    return this.#shapes.get(entity)?.fields.has(field) ?? false;
  }

  /** Keeps the values the entity can take: known fields, allowed options, nothing empty. */
  #fit(shape: Shape, row: Row): Row {
    const fitted: Row = {};
    for (const key in row) {
      const value = row[key];
      if (value === undefined || value === null) continue;
      const options = shape.fields.get(key);
      if (options === undefined) continue;
      if (options !== null && !options.has(value as string)) continue;
      fitted[key] = value;
    }
    return fitted;
  }

  /** Creates the rows in order, at most MAX_BATCH per call; the ids come back in the same order. */
  async create(entity: string, rows: readonly Row[]): Promise<(string | undefined)[]> {
    const shape = this.#shapes.get(entity);
    if (!shape) return rows.map(() => undefined);
    const ids: string[] = [];
    for (let start = 0; start < rows.length; start += MAX_BATCH) {
      const batch = rows.slice(start, start + MAX_BATCH).map((row) => this.#fit(shape, row));
      const created = await this.#records.createMany(entity, batch);
      for (const record of created) ids.push(record.id);
    }
    this.counts[shape.plural] = (this.counts[shape.plural] ?? 0) + rows.length;
    return ids;
  }

  /**
   * A writer for one chunk of the data set that writes each entity only after the previous chunk's writes
   * of that entity are done: chunks can overlap, yet every table fills in the same order on every run, so
   * autonumbers come out the same.
   */
  lane(previous?: Lane): Lane {
    return new Lane(this, previous);
  }

  /** Runs independent writes (of different entities), overlapping them where the database allows. */
  async all<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
    if (this.#parallel) return Promise.all(tasks.map((task) => task()));
    const results: T[] = [];
    for (const task of tasks) results.push(await task());
    return results;
  }

  async update(entity: string, id: string | undefined, values: Row): Promise<void> {
    const shape = this.#shapes.get(entity);
    if (!shape || id === undefined) return;
    const fitted = this.#fit(shape, values);
    if (Object.keys(fitted).length > 0) await this.#records.update(entity, id, fitted);
  }
}

/** See `SeedWriter.lane`. */
export class Lane {
  readonly #writer: SeedWriter;
  readonly #previous?: Lane;
  readonly #done = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  #finished = false;

  constructor(writer: SeedWriter, previous?: Lane) {
    this.#writer = writer;
    this.#previous = previous;
  }

  #gate(entity: string) {
    let gate = this.#done.get(entity);
    if (!gate) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      gate = { promise, resolve };
      if (this.#finished) resolve();
      this.#done.set(entity, gate);
    }
    return gate;
  }

  /** Resolves once this lane has written the entity, or has finished without writing it. */
  passed(entity: string): Promise<void> {
    return this.#gate(entity).promise;
  }

  async create(entity: string, rows: readonly Row[]): Promise<(string | undefined)[]> {
    await this.#previous?.passed(entity);
    try {
      return await this.#writer.create(entity, rows);
    } finally {
      this.#gate(entity).resolve();
    }
  }

  all<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
    return this.#writer.all(tasks);
  }

  /** Lets the next lane past every entity, written or not. */
  finish(): void {
    this.#finished = true;
    for (const gate of this.#done.values()) gate.resolve();
  }
}
