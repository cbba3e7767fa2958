import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
// URL instead of node:path keeps this file inside the browser type set of web/tsconfig.json.
const here = decodeURIComponent(new URL('.', import.meta.url).pathname);

// The SPA is served by the API server from web/dist in production; in development Vite proxies
// /api to `npm run dev` on :3000 so cookies stay same-origin.
export default defineConfig({
  root: here,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { port: 5173, proxy: { '/api': 'http://localhost:3000' } },
});
