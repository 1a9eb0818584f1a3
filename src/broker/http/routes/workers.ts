/** /api/v1/workers: the workers the broker knows. */
import { json, type Route } from '../api.ts';
import { WorkerList } from '../schemas.ts';

export const WORKER_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/api/v1/workers',
    operationId: 'listWorkers',
    summary: 'Workers: connected ones, and those gone in the last minutes',
    tag: 'workers',
    responses: { 200: { description: 'the workers', schema: WorkerList } },
    async handle(api) {
      return json({ workers: await api.call('workers', {}) });
    },
  },
];
