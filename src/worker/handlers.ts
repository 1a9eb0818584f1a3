/**
 * Loading handlers from a user's module (`--handlers PATH`, JavaScript or TypeScript: Node 24
 * strips the types). The module may export the map as `export default {…}`, as `export const
 * handlers = {…}`, or as named functions (`export async function resize(task, ctx) {…}`); all
 * three are merged. Each key is a task type. Anything wrong ends in one clear error.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalid } from '../model/errors.ts';
import { builtinHandlers } from './builtins.ts';
import type { Handler, Handlers } from './types.ts';

const TYPE_NAME = /^[A-Za-z0-9._:-]{1,128}$/;
const EXAMPLE = 'export default { resize: async (task, ctx) => result }';

export async function loadHandlers(path: string): Promise<Handlers> {
  const file = resolve(path);
  if (!existsSync(file)) throw invalid(`handlers file ${path} not found${file !== path ? ` (looked at ${file})` : ''}: pass --handlers with the path of a .js or .ts module`);
  if (!statSync(file).isFile()) throw invalid(`handlers path ${path} is not a file: pass --handlers with the path of a .js or .ts module`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const message = String((error as Error)?.message ?? error).split('\n').find((line) => line.trim() !== '') ?? 'failed';
    throw invalid(`cannot load handlers from ${path}: ${message.trim()}`);
  }
  return handlersFromModule(module, path);
}

/** The handlers a loaded module exports; throws if it exports none or something that is not one. */
export function handlersFromModule(module: Record<string, unknown>, path: string): Handlers {
  const found: Handlers = {};
  const add = (type: string, value: unknown, where: string) => {
    if (typeof value !== 'function') throw invalid(`${where} in ${path} is not a function: each handler is async (task, ctx) => result`);
    if (!TYPE_NAME.test(type)) throw invalid(`${where} in ${path}: ${JSON.stringify(type)} is not a valid task type (1-128 of A-Z a-z 0-9 . _ : -)`);
    found[type] = value as Handler;
  };
  const addMap = (map: unknown, where: string) => {
    if (map === null || typeof map !== 'object') throw invalid(`the ${where} export of ${path} must be a map from task type to handler: ${EXAMPLE}`);
    for (const [type, value] of Object.entries(map)) {
      // `module.exports = { handlers: {…} }` arrives as default.handlers.
      if (type === 'handlers' && value !== null && typeof value === 'object') addMap(value, `${where}.handlers`);
      else add(type, value, `${where}.${type}`);
    }
  };
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default' && name !== 'handlers' && typeof value === 'function') add(name, value, `export ${name}`);
  }
  if (module.default !== undefined) {
    if (typeof module.default === 'function') throw invalid(`the default export of ${path} is a function: export a map from task type to handler instead, e.g. ${EXAMPLE}`);
    // A CommonJS module's exports object arrives as `default` and may repeat the named ones.
    addMap(module.default, 'default');
  }
  if (module.handlers !== undefined) addMap(module.handlers, 'handlers');
  if (Object.keys(found).length === 0) throw invalid(`handlers file ${path} exports no handlers: ${EXAMPLE}`);
  return found;
}

/** The built-in handlers (exec only if allowed), with the user's replacing any of the same name. */
export function withBuiltins(user: Handlers = {}, allowExec = false): Map<string, Handler> {
  return new Map(Object.entries({ ...builtinHandlers(allowExec), ...user }));
}
