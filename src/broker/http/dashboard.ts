/**
 * Serves the web dashboard (src/dashboard): index.html at `/`, its scripts and stylesheet under
 * `/assets/`, read once when the server starts. A strict Content-Security-Policy: nothing but the
 * broker's own files and API.
 */
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { readDashboardFiles } from './dashboard-files.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export function registerDashboard(app: FastifyInstance): void {
  for (const [name, body] of Object.entries(readDashboardFiles())) {
    const path = name === 'index.html' ? '/' : `/assets/${name}`;
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) throw new Error(`the dashboard file ${name} has no content type`);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    app.get(path, (request, reply) => {
      reply.headers({ ...SECURITY_HEADERS, etag });
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type(contentType).send(body);
    });
  }
}
