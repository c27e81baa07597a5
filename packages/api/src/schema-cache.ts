// One GraphQL schema per workspace and metadata version, built on first use and cached. A metadata change
// drops the workspace's entry; the next request builds the new schema while requests already running
// finish on the schema object they started with — the swap is atomic per request.
import type { Engine, WorkspaceMetadata } from '@touchpoint/engine';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from './schema/build-schema.ts';

interface Entry {
  metadata: WorkspaceMetadata;
  schema: GraphQLSchema;
}

export class SchemaCache {
  readonly #engine: Engine;
  readonly #entries = new Map<string, Promise<Entry>>();

  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onMetadataChange(({ workspace }) => this.#entries.delete(workspace));
  }

  get(workspace: string): Promise<Entry> {
    let entry = this.#entries.get(workspace);
    if (!entry) {
      entry = this.#engine.metadata(workspace).then((metadata) => ({ metadata, schema: buildSchema(metadata) }));
      entry.catch(() => this.#entries.delete(workspace));
      this.#entries.set(workspace, entry);
    }
    return entry;
  }
}
