import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dashboard build. The server's CSP allows only same-origin scripts and styles, so
 * nothing may end up inline: no data: URIs for assets and no inline modulepreload polyfill.
 */
export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: fileURLToPath(new URL('./public', import.meta.url)),
  // Outside web/ so a build never changes the sources ./enclave hashes to decide on a rebuild.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/web', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
