// A tiny static file server for the built app (trunk's dist folder), used by the end-to-end tests and by people.
//
// It has no dependencies on purpose: the tests must be able to start and stop it many times quickly, and a
// person must be able to serve the app with nothing but Node: `node tests/e2e/server.mjs app/dist 8080`.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Content types of the files that trunk and public/ put into dist. */
export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * Serves the files under `root` on 127.0.0.1.
 *
 * @param {string} root folder to serve; `/` maps to its index.html
 * @param {{port?: number}} [options] port 0 (the default) lets the system pick a free port
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export async function startServer(root, { port = 0 } = {}) {
  const base = resolve(root);
  const sockets = new Set();

  const server = createServer(async (req, res) => {
    try {
      await serve(base, req, res);
    } catch (err) {
      if (!res.headersSent) {
        send(res, 500, `internal error: ${err && err.message}`);
      } else {
        res.destroy();
      }
    }
  });

  // Keep-alive sockets would keep the server alive after close(); tracking them lets close() really stop it,
  // which the offline test depends on (a browser reusing an open connection would otherwise still be served).
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });

  const actualPort = server.address().port;
  let closing = null;
  return {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    close() {
      if (!closing) {
        closing = new Promise((ok) => {
          server.close(() => ok());
          if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
          for (const socket of sockets) socket.destroy();
          sockets.clear();
        });
      }
      return closing;
    },
  };
}

async function serve(base, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed');
  }

  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    return send(res, 400, 'bad request');
  }
  if (pathname.includes('\0')) return send(res, 400, 'bad request');
  if (pathname.endsWith('/')) pathname += 'index.html';

  // Resolving against the root and checking the prefix refuses `..` and encoded variants of it.
  const file = resolve(base, '.' + pathname);
  if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'forbidden');

  let info;
  try {
    info = await stat(file);
  } catch {
    return send(res, 404, 'not found');
  }
  if (!info.isFile()) return send(res, 404, 'not found');

  // `no-cache` makes the browser ask every time (a new build is picked up at once), and the validator lets it
  // keep its copy when nothing changed: a second visit is served from the HTTP cache (and reuses the compiled
  // wasm) after a 304, as from any ordinary web server.
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
    'Cache-Control': 'no-cache',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  // A page of the app gets its Content-Security-Policy as a header too (app/csp.py writes them at build time; the
  // meta tag in the page cannot carry `frame-ancestors`).
  if (extname(file).toLowerCase() === '.html') {
    const policy = (await policies(base))['/' + relative(base, file).split(sep).join('/')];
    if (policy) headers['Content-Security-Policy'] = policy;
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    return res.end();
  }
  res.writeHead(200, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The policies of `dist/csp.json` (page path -> policy); none when the build did not write one. */
async function policies(base) {
  try {
    return JSON.parse(await readFile(join(base, 'csp.json'), 'utf8'));
  } catch {
    return {};
  }
}

function send(res, status, text) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache',
  });
  res.end(text);
}

// CLI: node tests/e2e/server.mjs DIR [PORT]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, portArg] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node tests/e2e/server.mjs DIR [PORT]');
    process.exit(2);
  }
  const port = portArg === undefined ? 8080 : Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${portArg}`);
    process.exit(2);
  }
  const server = await startServer(dir, { port });
  console.log(`serving ${resolve(dir)} at ${server.url} (Ctrl-C to stop)`);
  const stop = () => server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
