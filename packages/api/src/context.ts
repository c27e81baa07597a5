// What every resolver gets: who asks (the signed-in viewer), in which workspace, and the record service
// bound to both.
import type { Engine, RecordService, WorkspaceMetadata } from '@touchpoint/engine';
import type { PluginRuntime } from '@touchpoint/plugin-runtime';
import type { RequestAuth, Viewer } from './auth.ts';
import type { TransferService } from './transfer-http.ts';

export interface ApiContext {
  engine: Engine;
  workspace: string;
  /** The viewer's user id (the actor of every write); `anonymous` only while signing in. */
  actor: string;
  /** Who is signed in; undefined only for a sign-in request. */
  viewer?: Viewer;
  auth: RequestAuth;
  records: RecordService;
  /** The metadata version the request's schema was built from. */
  metadata: WorkspaceMetadata;
  /** The plugin runtime, when the server runs plugins. */
  plugins?: PluginRuntime;
  /** Import runs of this server (progress, cancel) and the upload's CSRF token. */
  transfer?: TransferService;
}

export const WORKSPACE_HEADER = 'x-touchpoint-workspace';
/** Ask for the number of SQL statements a request ran, in `extensions.sqlStatements`. */
export const DEBUG_HEADER = 'x-touchpoint-debug';
