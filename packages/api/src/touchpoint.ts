// The one composition root: the engine, the CRM's behaviour, the plugin runtime and the HTTP server, put
// together the same way for `touchpoint start`, the API tests, the bench and anything else that runs a
// whole Touchpoint, so tests exercise what users run.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installCrmBehaviour } from '@touchpoint/crm';
import { Engine, type EngineOptions } from '@touchpoint/engine';
import { PluginRuntime, type PluginRuntimeOptions } from '@touchpoint/plugin-runtime';
import { type ApiServerOptions, createApiServer } from './server.ts';

export type WebFallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface TouchpointOptions {
  /** How to start the engine: database, core schemas, clock, limits. */
  engine: EngineOptions;
  /** Run plugins (default yes); an object passes runtime options (limits, log sink). */
  plugins?: boolean | Omit<PluginRuntimeOptions, 'engine'>;
  /**
   * Install the CRM's behaviour (stage and status history follow record events; default yes). A test that
   * drives that behaviour itself installs its own instead.
   */
  crmBehaviour?: boolean;
  /** The HTTP endpoint's own options: CORS allow-list, rate limit, field suggestions. */
  api?: Pick<ApiServerOptions, 'corsOrigins' | 'rateLimit' | 'suggestions'>;
  /** Port to listen on (default 0: any free one). */
  port?: number;
  /** Address to listen on (default 127.0.0.1); null: every address, as `touchpoint start` does. */
  host?: string | null;
  /** Work to do on the engine before anything else sees it (the demo seed), so no request meets half of it. */
  prepare?: (engine: Engine) => Promise<void>;
  /**
   * The web app's handler, made once the server's URL is known (the web app reaches the API over HTTP).
   * Tried for every request the API does not own.
   */
  web?: (url: string) => Promise<WebFallback | undefined>;
}

export interface Touchpoint {
  engine: Engine;
  plugins?: PluginRuntime;
  server: Server;
  /** `http://<host>:<port>` of the running server. */
  url: string;
  /** Stops the server (dropping idle keep-alive connections), the plugin runtime and the engine. */
  close(): Promise<void>;
}

export async function createTouchpoint(options: TouchpointOptions): Promise<Touchpoint> {
  const engine = await Engine.start(options.engine);
  let plugins: PluginRuntime | undefined;
  let server: Server | undefined;
  try {
    await options.prepare?.(engine);
    if (options.crmBehaviour ?? true) installCrmBehaviour(engine);
    const pluginOptions = options.plugins ?? true;
    plugins = pluginOptions
      ? await PluginRuntime.start({ engine, ...(pluginOptions === true ? {} : pluginOptions) })
      : undefined;
    // The web app is made after the port is known; until then (never, in practice) requests fall through.
    let web: WebFallback | undefined;
    server = createApiServer({
      ...options.api,
      engine,
      plugins,
      fallback: (req, res) => (web ? web(req, res) : Promise.resolve(false)),
    });
    // Closed-loop clients (the bench, the browser) reuse connections; Node's 5 s default would close idle ones.
    server.keepAliveTimeout = 60_000;
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      const listened = () => {
        listening.off('error', reject);
        resolve();
      };
      if (options.host === null) listening.listen(options.port ?? 0, listened);
      else listening.listen(options.port ?? 0, options.host ?? '127.0.0.1', listened);
    });
    const { port } = server.address() as AddressInfo;
    const host = options.host ?? '127.0.0.1';
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (options.web) web = await options.web(url);
    const running = plugins;
    return {
      engine,
      plugins,
      server,
      url,
      async close() {
        listening.closeAllConnections();
        await new Promise((resolve) => listening.close(resolve));
        await running?.close();
        await engine.close();
      },
    };
  } catch (error) {
    server?.close();
    await plugins?.close();
    await engine.close();
    throw error;
  }
}
