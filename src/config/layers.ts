/**
 * Configuration in layers: defaults < YAML file (--config) < environment (TQ_*) < flags. One name
 * per setting: flag --foo-bar = environment TQ_FOO_BAR = YAML fooBar.
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { invalid } from '../model/errors.ts';
import { parseDuration } from './duration.ts';

export type FieldKind = 'string' | 'integer' | 'duration' | 'boolean' | 'list';

export type Spec<T> = { [K in keyof T]: FieldKind };

/** Reads a YAML config file into a plain object; a missing or malformed file is one clear error. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (error) {
    throw invalid(`config file ${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(`config file ${path} must hold a YAML mapping`);
  return parsed as Record<string, unknown>;
}

export function envName(field: string): string {
  return `TQ_${field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

function coerce(field: string, kind: FieldKind, value: unknown, source: string): unknown {
  const where = `${field} (from ${source})`;
  switch (kind) {
    case 'string':
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      break;
    case 'integer': {
      const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof number === 'number' && Number.isSafeInteger(number)) return number;
      break;
    }
    case 'duration':
      if (typeof value === 'string' || typeof value === 'number') return parseDuration(value, where);
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      break;
    case 'list':
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
      if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
      break;
  }
  throw invalid(`${where} is invalid: expected ${kind === 'list' ? 'a comma-separated list' : `a ${kind}`}, got ${JSON.stringify(value)}`);
}

/**
 * Merges the layers for the fields in `spec`. `flags` holds only flags the user gave (undefined
 * for the rest). Unknown keys in the file are refused, so a typo does not pass silently.
 */
export function resolveConfig<T extends object>(
  spec: Spec<T>,
  defaults: T,
  layers: { file?: Record<string, unknown>; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof T, unknown>> },
  extraFileKeys: readonly string[] = [],
): T {
  const result = { ...defaults } as Record<string, unknown>;
  const file = layers.file ?? {};
  for (const key of Object.keys(file)) {
    if (!(key in spec) && !extraFileKeys.includes(key)) throw invalid(`unknown setting ${JSON.stringify(key)} in the config file`);
  }
  for (const [field, kind] of Object.entries(spec) as [string, FieldKind][]) {
    if (file[field] !== undefined) result[field] = coerce(field, kind, file[field], 'config file');
    const fromEnv = layers.env?.[envName(field)];
    if (fromEnv !== undefined && fromEnv !== '') result[field] = coerce(field, kind, fromEnv, envName(field));
    const flag = layers.flags?.[field as keyof T];
    if (flag !== undefined) result[field] = coerce(field, kind, flag, 'flag');
  }
  return result as T;
}
