/**
 * The dashboard's files as the broker serves them, name -> text: index.html and every .js and .css
 * file of src/dashboard, which holds the page alone (no server code that could be served with
 * it). From a checkout or an installed package they are read from disk; the single executable has no
 * checkout, so scripts/sea-esbuild-plugin.ts replaces this module with one holding the very result
 * of readDashboardFiles() at build time.
 */
import { readdirSync, readFileSync } from 'node:fs';

const DIR = new URL('../../dashboard/', import.meta.url);
const SERVED = /^(index\.html|[a-z][a-z0-9-]*\.(js|css))$/;

export function readDashboardFiles(): Record<string, string> {
  const names = readdirSync(DIR).filter((name) => SERVED.test(name)).sort();
  return Object.fromEntries(names.map((name) => [name, readFileSync(new URL(name, DIR), 'utf8')]));
}
