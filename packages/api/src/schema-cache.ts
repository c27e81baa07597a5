// One GraphQL schema per workspace, metadata version and field-access signature, built on first use and
// cached. A user whose roles hide fields gets a schema without them (hidden means absent: selecting,
// filtering or sorting on one is refused as for a field that does not exist); users who see the same
// fields share one schema. A metadata change drops the workspace's entries; the next request builds the
// new schema while requests already running finish on the schema object they started with — the swap is
// atomic per request.
//
// Building a schema is one synchronous stretch of the event loop (~60 ms of CPU for the CRM, several hundred
// ms of wall time on a loaded machine), during which no other request is answered. Many versions change
// nothing the schema is made of — a plugin install or upgrade that only brings code (hooks, actions), a
// plugin enabled again — so a schema is built only when the entities and roles it is made of changed: a new
// version with the same ones keeps the schema object and gets its own metadata (resolvers read the version,
// the compiler and the workspace from the request's `ctx.metadata`).
import type { AccessGrants, Engine, WorkspaceMetadata } from '@touchpoint/engine';
import type { EntityDefinition } from '@touchpoint/schema';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from './schema/build-schema.ts';

interface Entry {
  metadata: WorkspaceMetadata;
  schema: GraphQLSchema;
}

/** The metadata as these grants may see it: the same, less the fields hidden from them. */
export function visibleMetadata(metadata: WorkspaceMetadata, grants: AccessGrants | undefined): WorkspaceMetadata {
  if (!grants || grants.rights.fields.size === 0) return metadata;
  const entities: EntityDefinition[] = metadata.entities.map((entity) => {
    const hidden = new Set(grants.hiddenFields(entity.name));
    if (hidden.size === 0) return entity;
    return { ...entity, fields: entity.fields.filter((f) => !hidden.has(f.name)) };
  });
  return { ...metadata, entities, byName: new Map(entities.map((e) => [e.name, e])) };
}

/** What a schema is built from, as text: equal texts build equal schemas. */
function schemaInputs(metadata: WorkspaceMetadata): string {
  return JSON.stringify([metadata.entities, metadata.permissions ?? null], (_, value) =>
    value instanceof Map ? [...value] : value instanceof Set ? [...value] : value,
  );
}

export class SchemaCache {
  readonly #engine: Engine;
  readonly #entries = new Map<string, Promise<Entry>>();
  /** The last schema built per workspace and field-access signature, with the text of what it was built from. */
  readonly #built = new Map<string, { inputs: string; schema: GraphQLSchema }>();
  /** Schemas built (not reused) so far, for tests. */
  builds = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onMetadataChange(({ workspace }) => {
      for (const key of [...this.#entries.keys()]) if (key.split('\u0000')[0] === workspace) this.#entries.delete(key);
    });
  }

  get(workspace: string, grants?: AccessGrants): Promise<Entry> {
    const signature = grants && grants.rights.fields.size > 0 ? grants.fieldSignature : '';
    const key = `${workspace}\u0000${signature}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = this.#engine.metadata(workspace).then((metadata) => ({
        metadata,
        schema: this.#schema(key, visibleMetadata(metadata, signature ? grants : undefined)),
      }));
      entry.catch(() => this.#entries.delete(key));
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #schema(key: string, metadata: WorkspaceMetadata): GraphQLSchema {
    const inputs = schemaInputs(metadata);
    const last = this.#built.get(key);
    if (last?.inputs === inputs) return last.schema;
    const schema = buildSchema(metadata);
    this.builds++;
    this.#built.set(key, { inputs, schema });
    return schema;
  }
}
