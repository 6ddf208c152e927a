// The image page: the before/after slider, and a refresh when a job in progress finishes (pushed by events).
window.stox.onPage('#image-page', (page, signal) => {
  'use strict';
  const range = document.getElementById('compare-range');
  const after = document.getElementById('compare-after');
  if (range && after) {
    const apply = () => { after.style.clipPath = `inset(0 ${100 - Number(range.value)}% 0 0)`; };
    range.addEventListener('input', apply, { signal });
    apply();
  }

  const status = page.dataset.status;
  if (status === 'pending' || status === 'processing') {
    const id = page.dataset.imageId;
    const events = new EventSource('/bff/events');
    const badge = page.querySelector('[data-badge]');
    events.addEventListener('image', (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      if (event.imageId !== id) return;
      if (badge) badge.textContent = window.stox.statusText(event.status, event.progress);
      if (event.status === 'complete' || event.status === 'failed') {
        events.close();
        // Blazor renders the finished page and patches it in; without its runtime, a plain reload.
        const url = window.location.pathname;
        if (window.Blazor) window.Blazor.navigateTo(url, { replaceHistoryEntry: true }); else window.location.replace(url);
      }
    });
    signal.addEventListener('abort', () => events.close());
    window.addEventListener('pagehide', () => events.close(), { signal });
  }
});
