// Native addon loading inside the single executable.
//
// The build replaces every import of `node-gyp-build-optional-packages` (and
// `node-gyp-build`), which look for `.node` files in node_modules, with a call
// to loadAddon(<package name>). The SEA main (main.ts) has already written the
// addons, carried as SEA assets, next to the extracted bundle as
// `native/<package name>.node`; this module is bundled into that file, so
// import.meta.url points at the extraction directory.
import { fileURLToPath } from 'node:url';

const loaded = new Map<string, unknown>();

export function loadAddon(name: string): unknown {
  let exports = loaded.get(name);
  if (exports === undefined) {
    const file = fileURLToPath(new URL(`./native/${name}.node`, import.meta.url));
    const module = { exports: {} };
    process.dlopen(module, file);
    exports = module.exports;
    loaded.set(name, exports);
  }
  return exports;
}
