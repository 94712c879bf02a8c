// The field app's service worker (registered at the site root) also keeps the department page for offline use.
// A file, not an inline script: the page's Content-Security-Policy allows no inline script but trunk's loader.
'use strict';
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('../sw.js', { scope: '../' })
    .catch((err) => console.warn('service worker registration failed', err));
}
