// Service worker of the survey kit's field app: it keeps the app shell in the Cache Storage so that the app starts offline.
//
// How it works, in short. Trunk gives every build's script, wasm and style sheet a hashed file name and writes those
// names into index.html, so index.html alone says which files a release consists of. At install this worker fetches
// index.html, collects the same-origin files it refers to (and the icons named by the web manifest), and stores them
// all in a cache named after a hash of index.html's text. Every release therefore gets a cache of its own, and a
// release is only ever served together with its own files. Survey answers are not kept here: the app keeps them in
// IndexedDB, which this worker never touches.
//
// This file is copied unchanged into every release, so the browser's own update check (which compares the bytes of
// sw.js) never sees a new version. That is why a navigation that reaches the network also compares the index.html it
// received with the cached one, and builds the new release's cache in the background when they differ.

'use strict';

/** Prefix of every cache this worker owns; caches of other code are left alone. */
const PREFIX = 'survey-kit-';

/** A tiny cache that remembers which release cache is current, since a worker's globals die with it when idle. */
const META_CACHE = PREFIX + 'meta';
const META_KEY = './__survey-kit-current-cache';

/** How long a navigation waits for the network before the cached app is shown, so a bad connection is not a blank page. */
const NAVIGATION_TIMEOUT_MS = 3000;

/** Files of a quoted name with one of these endings, found inside inline scripts, are also part of the shell. */
const ASSET_LITERAL = /["'`]([^"'`\s<>()]+\.(?:js|mjs|wasm|css|webmanifest|json|svg|png|ico|webp|woff2?))["'`]/g;

/** href="..." and src="..." attributes of index.html. */
const ATTRIBUTE = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;

/** The current release cache's name, remembered while this worker instance lives. */
let currentName = null;

const scopeUrl = () => new URL(self.registration.scope);
const indexUrl = () => new URL('index.html', scopeUrl()).href;
const rootUrl = () => scopeUrl().href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // A failed install leaves the previous worker and its cache in charge, which is what we want: a half-filled
      // cache must never become the current one.
      const name = await precacheRelease();
      await setCurrentName(name);
      // A new worker takes over at once; it serves a complete release cache, so waiting for every tab to close
      // would only delay offline support for no gain.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const name = await getCurrentName();
      await deleteOtherReleases(name);
      // Pages that were opened before this worker existed are taken over now, so that the very first visit already
      // works offline on its next reload.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The browser fetches the worker script itself; it must always come from the network.
  if (url.href === new URL(self.location.href).href) return;

  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else {
    event.respondWith(asset(request));
  }
});

/**
 * Navigations are network-first: online, a person always gets the newest release. When the network fails or is
 * slower than NAVIGATION_TIMEOUT_MS, the cached index.html is shown instead. The app routes with the URL's hash,
 * which never reaches the server, so the one cached page serves every route.
 */
async function navigate(event) {
  // The answer is copied at once: the page consumes one body, the release check reads the other.
  const network = fetch(event.request).then((response) => ({ page: response, copy: response.clone() }));
  // A late answer from the network is still used to detect a new release, even when the cached page was shown.
  event.waitUntil(
    network.then(({ copy }) => checkForNewRelease(event.request, copy)).catch(() => {}),
  );

  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS));
  const first = await Promise.race([network.catch(() => null), timeout]);
  if (first) return first.page;

  const cached = await cachedIndex(pageOf(event.request.url));
  if (cached) return cached;
  // Nothing cached yet (the worker is still installing): the network is the only hope, so wait for it after all.
  return network.then(({ page }) => page, () => Response.error());
}

/**
 * Other files are cache-first: their names carry a content hash, so a cached copy is never stale. A miss goes to
 * the network, and a good answer is kept in the current release cache so that files the app loads later (and that
 * index.html does not name) work offline too.
 */
async function asset(request) {
  const name = await getCurrentName();
  if (name) {
    const cache = await caches.open(name);
    const hit = await cache.match(request);
    if (hit) return hit;
  }
  const response = await fetch(request);
  if (name && response.ok && response.status === 200 && response.type === 'basic' && !request.headers.has('range')) {
    const cacheControl = response.headers.get('cache-control') || '';
    if (!/no-store/i.test(cacheControl)) {
      const copy = response.clone();
      caches
        .open(name)
        .then((cache) => cache.put(request, copy))
        .catch(() => {});
    }
  }
  return response;
}

/** The department page's address; it is a second page of the same release, with its own files. */
const departmentUrl = () => new URL('department/index.html', scopeUrl()).href;
const departmentRootUrl = () => new URL('department/', scopeUrl()).href;

/** Which page a navigation is for: the department page for addresses under department/, else the field app. */
function pageOf(requestUrl) {
  return requestUrl.startsWith(departmentRootUrl()) ? departmentUrl() : indexUrl();
}

/** The cached page (index.html or the department page) of the current release. */
async function cachedIndex(pageUrl = indexUrl()) {
  const name = await getCurrentName();
  if (name) {
    const cache = await caches.open(name);
    const other = pageUrl === indexUrl() ? rootUrl() : departmentRootUrl();
    const hit = (await cache.match(pageUrl)) || (await cache.match(other));
    if (hit) return hit;
  }
  return null;
}

/**
 * Fetches index.html and every file of its release into a new cache, and returns that cache's name.
 * Fetching with 'no-store' and 'no-cache' keeps the browser's HTTP cache from mixing in files of an older release.
 */
async function precacheRelease(indexResponse) {
  const response = indexResponse || (await fetch(indexUrl(), { cache: 'no-store' }));
  if (!response.ok) throw new Error(`index.html: HTTP ${response.status}`);
  const text = await response.clone().text();
  const name = PREFIX + (await hashText(text));

  const cache = await caches.open(name);
  // The same page is stored under both of its addresses, since a person may open either.
  await cache.put(indexUrl(), response.clone());
  await cache.put(rootUrl(), response.clone());

  // Every file that index.html names must be cached, or the release is not usable offline: addAll fails as a whole.
  const required = collectAssets(text, indexUrl());
  await cache.addAll(required.map((url) => new Request(url, { cache: 'no-cache' })));

  // The icons named by the web manifest only matter for installing the app, so one that is missing is skipped.
  const manifestUrl = required.find((url) => new URL(url).pathname.endsWith('.webmanifest'));
  if (manifestUrl) {
    const manifest = await cache.match(manifestUrl);
    const icons = manifest ? await manifestIcons(manifest, manifestUrl) : [];
    await Promise.all(
      icons
        .filter((url) => !required.includes(url))
        .map((url) => cache.add(new Request(url, { cache: 'no-cache' })).catch(() => {})),
    );
  }
  await precacheDepartment(cache);
  return name;
}

/**
 * The department page and its files, kept in the same release cache so that an office without network can open it
 * too. Best effort: a release without the page (or a failed fetch) leaves the field app's cache complete and usable.
 */
async function precacheDepartment(cache) {
  try {
    const response = await fetch(departmentUrl(), { cache: 'no-store' });
    if (!response.ok) return;
    const text = await response.clone().text();
    const files = collectAssets(text, departmentUrl()).filter((url) => url !== departmentRootUrl());
    await cache.addAll(files.map((url) => new Request(url, { cache: 'no-cache' })));
    await cache.put(departmentUrl(), response.clone());
    await cache.put(departmentRootUrl(), response.clone());
  } catch {
    // Offline use of the department page is a convenience; the field app must not depend on it.
  }
}

/** Same-origin http(s) files that index.html refers to, absolute, without fragments, without duplicates. */
function collectAssets(html, baseUrl) {
  const found = new Set();
  const consider = (raw) => {
    if (!raw) return;
    const value = raw.trim().replace(/&amp;/g, '&');
    if (!value || value.startsWith('#') || /^(?:data|blob|javascript|mailto|tel):/i.test(value)) return;
    let url;
    try {
      url = new URL(value, baseUrl);
    } catch {
      return;
    }
    if (url.origin !== self.location.origin || !/^https?:$/.test(url.protocol)) return;
    url.hash = '';
    // The worker script and the page itself are handled elsewhere.
    if (url.href === self.location.href) return;
    if (url.href === baseUrl || url.href === rootUrl()) return;
    found.add(url.href);
  };
  for (const match of html.matchAll(ATTRIBUTE)) consider(match[1] ?? match[2]);
  // Trunk loads the app from an inline module script (import ... from '/app-HASH.js'; init('/app-HASH_bg.wasm')),
  // whose names are not attributes, so quoted file names are collected as well.
  for (const match of html.matchAll(ASSET_LITERAL)) consider(match[1]);
  return [...found];
}

/** The icons' addresses from a web manifest response, resolved against the manifest's own address. */
async function manifestIcons(response, manifestUrl) {
  try {
    const manifest = await response.clone().json();
    const icons = Array.isArray(manifest.icons) ? manifest.icons : [];
    return icons
      .map((icon) => icon && typeof icon.src === 'string' && new URL(icon.src, manifestUrl))
      .filter((url) => url && url.origin === self.location.origin)
      .map((url) => url.href);
  } catch {
    return [];
  }
}

/**
 * When a navigation brought an index.html that differs from the cached one, a new release was published: its
 * files are cached in a new cache, which becomes current only once it is complete, and then the old ones go.
 */
async function checkForNewRelease(request, response) {
  if (!response || !response.ok || response.type !== 'basic') return;
  const url = new URL(request.url);
  url.hash = '';
  url.search = '';
  if (url.href !== indexUrl() && url.href !== rootUrl()) return;
  const contentType = response.headers.get('content-type') || '';
  if (!contentType.includes('text/html')) return;

  const text = await response.clone().text();
  const name = PREFIX + (await hashText(text));
  if (name === (await getCurrentName())) return;
  const fresh = await precacheRelease(response);
  await setCurrentName(fresh);
  await deleteOtherReleases(fresh);
}

/** Deletes every release cache but the named one; the meta cache is kept. */
async function deleteOtherReleases(keep) {
  const names = await caches.keys();
  await Promise.all(
    names
      .filter((name) => name.startsWith(PREFIX) && name !== keep && name !== META_CACHE)
      .map((name) => caches.delete(name)),
  );
}

async function setCurrentName(name) {
  currentName = name;
  const meta = await caches.open(META_CACHE);
  await meta.put(META_KEY, new Response(name, { headers: { 'Content-Type': 'text/plain' } }));
}

/** The current release cache's name: remembered, else read from the meta cache, else any release cache that exists. */
async function getCurrentName() {
  if (currentName) return currentName;
  const meta = await caches.open(META_CACHE);
  const stored = await meta.match(META_KEY);
  if (stored) {
    const name = (await stored.text()).trim();
    if (name && (await caches.has(name))) {
      currentName = name;
      return name;
    }
  }
  const names = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== META_CACHE);
  currentName = names.length ? names[names.length - 1] : null;
  return currentName;
}

/** A short hex digest of a text; SHA-256 is available to workers in every secure context. */
async function hashText(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
