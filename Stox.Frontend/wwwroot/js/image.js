// The image page: the before/after slider, and a reload when a job in progress finishes (pushed by events).
(() => {
  'use strict';
  const page = document.getElementById('image-page');
  if (!page) return;

  const range = document.getElementById('compare-range');
  const after = document.getElementById('compare-after');
  if (range && after) {
    const apply = () => { after.style.clipPath = `inset(0 ${100 - Number(range.value)}% 0 0)`; };
    range.addEventListener('input', apply);
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
      if (event.status === 'complete' || event.status === 'failed') { events.close(); window.location.replace(window.location.pathname); }
    });
    window.addEventListener('pagehide', () => events.close());
  }
})();
