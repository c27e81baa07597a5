// One GraphQL schema per workspace, metadata version and field-access signature, built on first use and
// cached. A user whose roles hide fields gets a schema without them (hidden means absent: selecting,
// filtering or sorting on one is refused as for a field that does not exist); users who see the same
// fields share one schema. A metadata change drops the workspace's entries; the next request builds the
// new schema while requests already running finish on the schema object they started with — the swap is
// atomic per request.
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

export class SchemaCache {
  readonly #engine: Engine;
  readonly #entries = new Map<string, Promise<Entry>>();

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
        schema: buildSchema(visibleMetadata(metadata, signature ? grants : undefined)),
      }));
      entry.catch(() => this.#entries.delete(key));
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
