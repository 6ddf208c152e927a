// What the pages' scripts share. No tokens here: requests carry the session cookie and the antiforgery token.
//
// Blazor's enhanced navigation and form handling patch the document instead of loading a new one, and streamed
// content arrives after the first paint, so a page's script cannot just run once at load. Each registers with
// stox.onPage(selector, start): start(element, signal) runs whenever the document has been updated (first load,
// enhanced navigation or form post, streamed content) and the element is on the page; signal aborts before the
// next update, and the script drops its listeners and connections then.
(() => {
  'use strict';
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

  const formatBytes = (bytes) => {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  };

  const statusText = (status, progress) => {
    switch (status) {
      case 'pending': return 'Waiting';
      case 'processing': {
        const p = progress == null ? null : progress <= 1 ? Math.round(progress * 100) : Math.round(progress);
        return p > 0 && p < 100 ? `Processing ${p}%` : 'Processing';
      }
      case 'complete': return 'Ready';
      case 'failed': return 'Failed';
      default: return status;
    }
  };

  // Paints every canvas[data-blurhash] not painted yet.
  const paintPlaceholders = (root) => {
    for (const canvas of (root ?? document).querySelectorAll('canvas[data-blurhash]:not([data-painted])')) {
      canvas.dataset.painted = '1';
      try { window.stoxBlurhash?.paint(canvas, canvas.dataset.blurhash); } catch { canvas.remove(); }
    }
  };

  // Hides the placeholder once the real picture is there (and notes when, for the benchmark).
  const watchImages = (root) => {
    for (const img of (root ?? document).querySelectorAll('.thumb img:not([data-watched])')) {
      img.dataset.watched = '1';
      const done = () => { img.closest('.thumb')?.classList.add('loaded'); img.dataset.loadedAt = String(performance.now()); };
      if (img.complete && img.naturalWidth > 0) done(); else img.addEventListener('load', done, { once: true });
    }
  };

  const pages = [];
  let running = new AbortController();

  const onDocumentUpdated = () => {
    running.abort();
    running = new AbortController();
    paintPlaceholders();
    watchImages();
    for (const { selector, start } of pages) {
      const element = document.querySelector(selector);
      if (element) start(element, running.signal);
    }
  };

  const onPage = (selector, start) => { pages.push({ selector, start }); };

  window.stox = { csrf, formatBytes, statusText, paintPlaceholders, watchImages, onPage };
  // The page scripts register after this one (all deferred, in order); the first run waits for the parsed document.
  document.addEventListener('DOMContentLoaded', () => {
    onDocumentUpdated();
    window.Blazor?.addEventListener('enhancedload', onDocumentUpdated);
  });
})();
