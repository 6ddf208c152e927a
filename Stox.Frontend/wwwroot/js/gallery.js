// The gallery: live status badges from server-sent events (relayed by the app from jobs), tiles refreshed when
// an image is ready, and infinite scroll. No polling.
window.stox.onPage('#gallery', (gallery, signal) => {
  'use strict';
  const grid = document.getElementById('gallery-grid');
  if (!grid) return; // The photos are still streaming in: the next document update starts the gallery.
  const filter = gallery.dataset.statusFilter || null;
  const source = gallery.dataset.sourceFilter || null;
  const galleryQuery = (cursor) => {
    const query = new URLSearchParams();
    if (cursor) query.set('cursor', cursor);
    if (filter) query.set('status', filter);
    if (source) query.set('source', source);
    return query;
  };

  const fetchCards = async (url) => {
    const response = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin', signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const template = document.createElement('template');
    template.innerHTML = await response.text();
    return { cards: [...template.content.querySelectorAll('li.card')], next: response.headers.get('X-Next-Cursor') };
  };

  const settle = (root) => { window.stox.paintPlaceholders(root); window.stox.watchImages(root); };
  const findCard = (id) => grid.querySelector(`li.card[data-image-id="${CSS.escape(id)}"]`);
  const updateEmpty = () => { document.getElementById('gallery-empty').hidden = grid.children.length > 0; };

  // Puts the server's rendering of one image in place (or at the top for a new upload).
  const refreshCard = async (id, { prepend = false } = {}) => {
    const { cards } = await fetchCards(`/bff/gallery/cards/${encodeURIComponent(id)}`);
    const card = cards[0];
    if (!card) return;
    if ((filter && card.dataset.status !== filter) || (source && card.dataset.source !== source)) { findCard(id)?.remove(); updateEmpty(); return; }
    const existing = findCard(id);
    if (existing) existing.replaceWith(card);
    else if (prepend) grid.prepend(card);
    else return;
    settle(card);
    updateEmpty();
  };
  window.stoxGallery = { refreshCard };
  signal.addEventListener('abort', () => { delete window.stoxGallery; });

  const onEvent = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    const card = findCard(event.imageId);
    if (!card) return;
    const badge = card.querySelector('[data-badge]');
    if (event.status === 'deleted') { card.remove(); updateEmpty(); return; }
    if (event.status === card.dataset.status && event.status !== 'processing') return;
    if (event.status === 'complete' || event.status === 'failed') {
      refreshCard(event.imageId).catch(() => {
        card.dataset.status = event.status;
        badge.className = `badge badge-${event.status}`;
        badge.textContent = window.stox.statusText(event.status, event.progress);
      });
      return;
    }
    card.dataset.status = event.status;
    badge.className = `badge badge-${event.status}`;
    badge.textContent = window.stox.statusText(event.status, event.progress);
  };

  if ('EventSource' in window) {
    const events = new EventSource('/bff/events');
    events.addEventListener('image', onEvent);
    events.addEventListener('message', onEvent);
    gallery.dataset.live = 'connecting';
    // A picture may have finished between the page's rendering and the stream's opening (generated pictures are
    // quick): once connected, every tile still in progress is rendered again, so no badge waits for an event missed.
    events.addEventListener('open', () => {
      gallery.dataset.live = 'open';
      for (const card of grid.querySelectorAll('li.card[data-status=pending], li.card[data-status=processing]')) {
        refreshCard(card.dataset.imageId).catch(() => {});
      }
    });
    signal.addEventListener('abort', () => events.close());
    window.addEventListener('pagehide', () => events.close(), { signal });
  }

  // Infinite scroll: the "Show more" link works without script; with it, the next page is appended.
  const more = document.getElementById('gallery-more');
  if (more && 'IntersectionObserver' in window) {
    let loading = false;
    const load = async () => {
      if (loading || !more.dataset.cursor) return;
      loading = true;
      more.setAttribute('aria-busy', 'true');
      try {
        const { cards, next } = await fetchCards(`/bff/gallery/cards?${galleryQuery(more.dataset.cursor)}`);
        for (const card of cards) if (!findCard(card.dataset.imageId)) { grid.append(card); settle(card); }
        if (next) { more.dataset.cursor = next; more.href = `/?${galleryQuery(next)}`; }
        else { more.parentElement.remove(); observer.disconnect(); }
      } catch {
        // Leave the link: a click loads the next page the plain way.
      } finally {
        loading = false;
        more.removeAttribute('aria-busy');
      }
    };
    const observer = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) load(); }, { rootMargin: '600px' });
    observer.observe(more);
    signal.addEventListener('abort', () => observer.disconnect());
    more.addEventListener('click', (e) => { e.preventDefault(); load(); }, { signal });
  }
});
