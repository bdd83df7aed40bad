import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/*
 * The dashboard: built into web/dist, which the server serves at /. In development (`npm run dev`)
 * Vite serves it with hot reload and passes the API through to the server.
 */
const api = `http://127.0.0.1:${process.env.PORT ?? '3000'}`;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    port: 5173,
    proxy: { '/api': api, '/fhir': api, '/docs': api, '/healthz': api },
  },
});
