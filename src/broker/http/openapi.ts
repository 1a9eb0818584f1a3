/**
 * The OpenAPI 3.1 document, built from the routes and the very schema objects fastify validates
 * with. A schema object listed in schemas.ts NAMED becomes a component and is referred to by $ref
 * wherever it appears (found by identity, so a copy never masquerades as the named schema).
 */
import { errors, type Route } from './api.ts';
import { type JsonSchema, NAMED } from './schemas.ts';

const REF = '#/components/schemas/';

export function openApiDocument(routes: Route[], version: string): Record<string, unknown> {
  const names = new Map<unknown, string>(Object.entries(NAMED).map(([name, schema]) => [schema, name]));

  const walk = (value: unknown, top = false): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item));
    if (value === null || typeof value !== 'object') return value;
    const name = names.get(value);
    if (name !== undefined && !top) return { $ref: `${REF}${name}` };
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
  };

  const parameters = (schema: JsonSchema | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
      schema: walk(property),
    }));
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
    };
    const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
    if (params.length > 0) operation.parameters = params;
    if (route.body) {
      operation.requestBody = { required: !route.bodyOptional, content: { 'application/json': { schema: walk(route.body) } } };
    }
    // Any body may come with the wrong type, and any change may meet a full disk.
    const responses = { ...route.responses, ...(route.body ? errors(415) : {}), ...(route.method === 'GET' ? {} : errors(507)) };
    operation.responses = Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: walk(response.schema) } } } : {}),
        },
      ]),
    );
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'tq broker HTTP API',
      version,
      description:
        'The REST API of a tq broker. Tasks have the same fields and states as the CLI\'s JSON output: times are ISO-8601, binary values are {"$base64": "..."}. Errors are {"error": {"code", "message", "field"?}}. No authentication yet: the broker listens on 127.0.0.1 by default.',
    },
    tags: [
      { name: 'tasks', description: 'submit, read, list, cancel, retry' },
      { name: 'queues', description: 'pause, resume and settings' },
      { name: 'dlq', description: 'the dead-letter queue' },
      { name: 'workers', description: 'connected workers' },
      { name: 'stats', description: 'depths, history and live events' },
      { name: 'system', description: 'the queue rules, health, readiness, metrics, this document' },
    ],
    paths,
    components: { schemas: Object.fromEntries(Object.entries(NAMED).map(([name, schema]) => [name, walk(schema, true)])) },
  };
}
