// One GraphQL schema per workspace and metadata version, built on first use and cached. A metadata change
// drops the workspace's entry; the next request builds the new schema while requests already running
// finish on the schema object they started with — the swap is atomic per request.
//
// Building a schema is one synchronous stretch of the event loop (~60 ms of CPU for the CRM, several hundred
// ms of wall time on a loaded machine), during which no other request is answered. Many versions change
// nothing the schema is made of — a plugin install or upgrade that only brings code (hooks, actions), a
// plugin enabled again — so the schema is built only when the entities (or, once they exist, the roles) it
// is made of changed: a new version with the same ones keeps the schema object and gets its own metadata
// (resolvers read the version, the compiler and the workspace from the request's `ctx.metadata`).
import type { Engine, WorkspaceMetadata } from '@touchpoint/engine';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from './schema/build-schema.ts';

interface Entry {
  metadata: WorkspaceMetadata;
  schema: GraphQLSchema;
}

/** What a workspace's schema is built from, as text: equal texts build equal schemas. */
function schemaInputs(metadata: WorkspaceMetadata): string {
  return JSON.stringify([metadata.entities, (metadata as { permissions?: unknown }).permissions ?? null], (_, value) =>
    value instanceof Map ? [...value] : value instanceof Set ? [...value] : value,
  );
}

export class SchemaCache {
  readonly #engine: Engine;
  readonly #entries = new Map<string, Promise<Entry>>();
  /** The last schema built per workspace, with the text of what it was built from. */
  readonly #built = new Map<string, { inputs: string; schema: GraphQLSchema }>();
  /** Schemas built (not reused) so far, for tests. */
  builds = 0;

  constructor(engine: Engine) {
    this.#engine = engine;
    engine.onMetadataChange(({ workspace }) => this.#entries.delete(workspace));
  }

  get(workspace: string): Promise<Entry> {
    let entry = this.#entries.get(workspace);
    if (!entry) {
      entry = this.#engine.metadata(workspace).then((metadata) => ({ metadata, schema: this.#schema(metadata) }));
      entry.catch(() => this.#entries.delete(workspace));
      this.#entries.set(workspace, entry);
    }
    return entry;
  }

  #schema(metadata: WorkspaceMetadata): GraphQLSchema {
    const slug = metadata.workspace.slug;
    const inputs = schemaInputs(metadata);
    const last = this.#built.get(slug);
    if (last?.inputs === inputs) return last.schema;
    const schema = buildSchema(metadata);
    this.builds++;
    this.#built.set(slug, { inputs, schema });
    return schema;
  }
}
