/**
 * The dashboard's static shell: one HTML page, its script and style, and uPlot served from the
 * installed `uplot` package (no CDN). These are the only public routes besides the health probe:
 * they carry no data; the page asks for the token and reads everything through the guarded API
 * and the telemetry socket. Files are read once at registration, served with an ETag and a
 * strict Content-Security-Policy (same-origin scripts, styles and connections only).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

export interface DashboardOptions {
  /** The plugin prefix, e.g. `/tactus`. */
  prefix: string;
  telemetryPath: string;
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** `src/http/dashboard/assets` from this module, whether it runs from `src/` or `dist/`. */
const ASSETS = new URL('../../../src/http/dashboard/assets/', import.meta.url);
const require = createRequire(import.meta.url);

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

const escapeAttribute = (value: string): string => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

export async function loadDashboardAssets(options: DashboardOptions): Promise<Map<string, Asset>> {
  const [html, script, style, uplotScript, uplotStyle] = await Promise.all([
    readFile(new URL('index.html', ASSETS), 'utf8'),
    readFile(new URL('app.js', ASSETS)),
    readFile(new URL('app.css', ASSETS)),
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js')),
    readFile(require.resolve('uplot/dist/uPlot.min.css')),
  ]);
  const page = html
    .replaceAll('%PREFIX%', escapeAttribute(options.prefix))
    .replaceAll('%TELEMETRY%', escapeAttribute(options.telemetryPath));
  return new Map([
    ['/', asset(Buffer.from(page), 'text/html; charset=utf-8')],
    ['/assets/app.js', asset(script, 'text/javascript; charset=utf-8')],
    ['/assets/app.css', asset(style, 'text/css; charset=utf-8')],
    ['/assets/uplot.js', asset(uplotScript, 'text/javascript; charset=utf-8')],
    ['/assets/uplot.css', asset(uplotStyle, 'text/css; charset=utf-8')],
  ]);
}

export function registerDashboardRoutes(scope: FastifyInstance, assets: ReadonlyMap<string, Asset>): void {
  for (const [path, file] of assets) {
    scope.get(path, { config: { tactusPublic: true } }, async (request, reply) => {
      reply
        .header('content-type', file.type)
        .header('etag', file.etag)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      if (path === '/') reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply.send(file.body);
    });
  }
}
