// Registers the loader of `npm run bench` (Node >= 20.6, no build step of its own): bench/*.ts files are
// transpiled on the fly, and their imports of `../src/**` run the compiled package in `dist/` (built by
// `npm run build` first), so the figures are those of the code users run. See docs/performance.md.
import { register } from 'node:module';

register('./loader.js', import.meta.url);
