import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer (src/renderer) built into dist/ui: served by Electron's app://studio scheme
// and served over loopback by the browser host, hence relative asset paths.
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // one small app: no inline <script>/<style> (the CSP forbids them) and no modulepreload polyfill
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  oxc: {
    jsx: { runtime: 'automatic' },
  },
});
