// The web app (apps/web, built by `vite build` into apps/web/build) is served by the same process and port
// as the API: its Node handler answers every request the API does not own. The app itself reaches the API
// over HTTP only, through TOUCHPOINT_API_URL.
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const DEFAULT_WEB_BUILD = fileURLToPath(new URL('../../../apps/web/build', import.meta.url));

export type WebFallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * Headers on everything the web app serves, pages and static files alike. The pages' Content-Security-Policy
 * (with `frame-ancestors 'none'`) comes from SvelteKit, which hashes its inline bootstrap script into it
 * (apps/web/vite.config.ts); X-Frame-Options says the same to browsers that predate frame-ancestors.
 */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
});

/** The web app's request handler, or undefined (with the reason) when no build exists. */
export async function loadWebApp(apiUrl: string): Promise<{ handler?: WebFallback; reason?: string }> {
  const dir = process.env.TOUCHPOINT_WEB_DIR ?? DEFAULT_WEB_BUILD;
  const entry = join(dir, 'handler.js');
  if (!existsSync(entry)) {
    return { reason: `no web app build at ${dir} (run \`pnpm --filter @touchpoint/web build\`)` };
  }
  process.env.TOUCHPOINT_API_URL = apiUrl;
  // We serve plain HTTP; a proxy in front may say otherwise in X-Forwarded-Proto (read when the handler loads).
  process.env.PROTOCOL_HEADER ??= 'x-forwarded-proto';
  const { handler } = (await import(pathToFileURL(entry).href)) as { handler: Middleware };
  return {
    handler: (req, res) =>
      new Promise<boolean>((resolve, reject) => {
        if (!req.headers['x-forwarded-proto']) req.headers['x-forwarded-proto'] = 'http';
        for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) res.setHeader(name, value);
        res.once('finish', () => resolve(true));
        res.once('close', () => resolve(true));
        try {
          handler(req, res, () => resolve(false));
        } catch (error) {
          reject(error);
        }
      }),
  };
}
