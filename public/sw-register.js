// Registers the service worker, which makes the field app load with no network after the first visit.
// A file, not an inline script: the page's Content-Security-Policy allows no inline script but trunk's loader.
'use strict';
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch((err) => console.warn('service worker registration failed', err));
}
