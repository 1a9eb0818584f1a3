/**
 * Serves the web dashboard (src/dashboard): a page, a script and a stylesheet held in memory.
 * A strict Content-Security-Policy: nothing but the broker's own files and API.
 */
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_FILES } from '../../dashboard/assets.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export function registerDashboard(app: FastifyInstance): void {
  for (const file of DASHBOARD_FILES) {
    app.get(file.path, (request, reply) => {
      reply.headers({ ...SECURITY_HEADERS, etag: file.etag });
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply.type(file.contentType).send(file.body);
    });
  }
}
