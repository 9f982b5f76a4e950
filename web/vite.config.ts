import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
/** Text worth compressing; fonts, images and pdf.js's CMaps (.bcmap) are already compressed. */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/;

/**
 * Precompressed copies beside every text file of the build (x.js → x.js.br, x.js.gz), made once here so
 * the server sends them by Accept-Encoding (@fastify/static preCompressed) without compressing per request.
 * A copy is kept only when it is smaller than the file.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'xjkx-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = fs
        .readdirSync(outDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && COMPRESSIBLE.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .filter((f) => fs.statSync(f).size >= 1024);
      await Promise.all(
        files.map(async (file) => {
          const data = await fs.promises.readFile(file);
          const [br, gz] = await Promise.all([
            brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
            gzip(data, { level: 9 }),
          ]);
          if (br.length < data.length) await fs.promises.writeFile(`${file}.br`, br);
          if (gz.length < data.length) await fs.promises.writeFile(`${file}.gz`, gz);
        }),
      );
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // dist/.vite/manifest.json: which chunks each page loads (npm run bench:bundle reads it; not served)
    manifest: true,
    rolldownOptions: {
      treeshake: {
        // core/ is pure rules and zod schemas: a module of it goes into a page only for what the page uses of it.
        // Otherwise importing one constant from core/index.ts built every reply schema of core/replies.ts too
        // (about 100 ms on a slow phone, on every page). text.ts alone has an effect: zod's Chinese messages.
        moduleSideEffects: (id: string) => !/[\\/]core[\\/](?!text\.ts$)[^\\/]+(?:[\\/][^\\/]+)*\.ts$/.test(id),
      },
      output: {
        // React in a chunk of its own: it changes less often than our code, so it stays cached across
        // deployments. Rolldown's automatic splitting already gives each Ant Design component (table, date
        // picker, upload, …) its own chunk, loaded by the pages that use it; named groups for those (tried:
        // form, table, picker, upload) pulled them into the first screen, because Ant Design's ConfigProvider
        // and zh_CN locale import parts of each.
        codeSplitting: {
          includeDependenciesRecursively: false,
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 40 }],
        },
      },
    },
  },
  resolve: {
    alias: [
      // react-router 7's package exports name only its development build (remix-run/react-router#14753): a build
      // took the development code, larger and slower to start. Its production build sits beside it.
      { find: /^react-router$/, replacement: path.join(projectRoot, 'node_modules/react-router/dist/production/index.mjs') },
    ],
  },
  server: {
    fs: { allow: [projectRoot] },
    proxy: {
      '/api': { target: 'http://localhost:3000', changeOrigin: false },
    },
  },
});
