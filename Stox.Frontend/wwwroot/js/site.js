// Shared helpers for the pages' scripts. No tokens here: requests carry the session cookie and the antiforgery token.
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

  window.stox = { csrf, formatBytes, statusText, paintPlaceholders, watchImages };
  document.addEventListener('DOMContentLoaded', () => { paintPlaceholders(); watchImages(); });
})();
