// What every resolver gets: who asks, in which workspace, and the record service bound to both.
import type { Engine, RecordService, WorkspaceMetadata } from '@touchpoint/engine';
import type { PluginRuntime } from '@touchpoint/plugin-runtime';

export interface ApiContext {
  engine: Engine;
  workspace: string;
  actor: string;
  records: RecordService;
  /** The metadata version the request's schema was built from. */
  metadata: WorkspaceMetadata;
  /** The plugin runtime, when the server runs plugins. */
  plugins?: PluginRuntime;
}

export const WORKSPACE_HEADER = 'x-touchpoint-workspace';
export const ACTOR_HEADER = 'x-touchpoint-actor';
/** Ask for the number of SQL statements a request ran, in `extensions.sqlStatements`. */
export const DEBUG_HEADER = 'x-touchpoint-debug';

export function actorOf(request: Request): string {
  return validActor(request.headers.get(ACTOR_HEADER));
}

/** The actor a header names, when it is a plausible name; anonymous otherwise. */
export function validActor(actor: unknown): string {
  return typeof actor === 'string' && /^[\w.:@-]{1,100}$/.test(actor) ? actor : 'anonymous';
}
