// The dashboard's own build (Vite 7, no framework plugin: vanilla TypeScript + uPlot).
// Output goes to ./dist (git-ignored); the query-api serves dist/index.html at "/" and dist/assets.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite --config apps/query-api/dashboard/web/vite.config.mjs` for live editing against a running query-api.
    proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } },
  },
});
