// The upload panel: drag and drop or pick files (or the camera), instant previews, limits checked before sending,
// a progress bar per file. Small files go through the app; large ones straight to S3 with a pre-signed PUT.
window.stox.onPage('#upload', (panel, signal) => {
  'use strict';
  const list = document.getElementById('upload-list');
  const dropzone = document.getElementById('dropzone');
  const enhance = document.getElementById('enhance');
  const maxBytes = Number(panel.dataset.maxBytes);
  const directThreshold = Number(panel.dataset.directThreshold);
  const types = {
    jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif',
    heic: 'image/heic', heif: 'image/heif', avif: 'image/avif', tif: 'image/tiff', tiff: 'image/tiff',
  };
  const accepted = new Set(Object.values(types));

  const typeOf = (file) => {
    if (accepted.has(file.type)) return file.type;
    const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
    return types[ext] ?? file.type;
  };

  const element = (tag, props = {}, children = []) => {
    const el = Object.assign(document.createElement(tag), props);
    for (const child of children) el.append(child);
    return el;
  };

  const addRow = (file) => {
    const preview = element('img', { className: 'upload-preview', alt: '', width: 56, height: 56 });
    const url = URL.createObjectURL(file);
    preview.src = url;
    preview.addEventListener('error', () => { preview.replaceWith(element('span', { className: 'upload-preview upload-preview-none', textContent: file.name.split('.').pop()?.toUpperCase() ?? '' })); }, { once: true });
    const progress = element('progress', { max: 100, value: 0 });
    progress.setAttribute('aria-label', `Upload of ${file.name}`);
    const status = element('span', { className: 'upload-status', textContent: 'Waiting…' });
    const row = element('li', { className: 'upload-item' }, [
      preview,
      element('div', { className: 'upload-body' }, [
        element('span', { className: 'upload-name', textContent: file.name }),
        element('span', { className: 'hint', textContent: window.stox.formatBytes(file.size) }),
        progress,
        status,
      ]),
    ]);
    list.prepend(row);
    return { row, progress, status, done: () => setTimeout(() => URL.revokeObjectURL(url), 60000) };
  };

  const problemText = async (response) => {
    try { const p = await response.json(); return p.detail || p.title || `Upload refused (${response.status}).`; } catch { return `Upload refused (${response.status}).`; }
  };

  // XMLHttpRequest rather than fetch: it reports upload progress.
  const send = (method, url, body, headers, onProgress) => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener('load', () => resolve(xhr));
    xhr.addEventListener('error', () => reject(new Error('The connection failed.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(body);
  });

  const json = async (url, body) => {
    const response = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': window.stox.csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await problemText(response));
    return response.json();
  };

  const upload = async (file) => {
    const ui = addRow(file);
    const type = typeOf(file);
    const fail = (message) => { ui.row.classList.add('failed'); ui.status.textContent = message; ui.status.setAttribute('role', 'alert'); ui.progress.remove(); };
    if (!accepted.has(type)) return fail('Not a supported format: use JPEG, PNG, WebP, GIF, HEIC, AVIF or TIFF.');
    if (file.size > maxBytes) return fail(`Too large: the limit is ${window.stox.formatBytes(maxBytes)}.`);
    if (file.size === 0) return fail('This file is empty.');

    ui.status.textContent = 'Uploading…';
    const progress = (fraction) => { ui.progress.value = Math.round(fraction * 100); };
    try {
      let image;
      if (file.size <= directThreshold) {
        const xhr = await send('POST', `/bff/uploads/file?enhance=${enhance.checked}`, file, {
          'Content-Type': type, 'X-File-Name': encodeURIComponent(file.name), 'X-CSRF-TOKEN': window.stox.csrf(),
        }, progress);
        if (xhr.status !== 202 && xhr.status !== 200) {
          let message = `Upload refused (${xhr.status}).`;
          try { const p = JSON.parse(xhr.responseText); message = p.detail || p.title || message; } catch { /* keep the status */ }
          throw new Error(message);
        }
        image = JSON.parse(xhr.responseText);
      } else {
        const ticket = await json('/bff/uploads/direct', { fileName: file.name, contentType: type, size: file.size, enhance: enhance.checked });
        const xhr = await send(ticket.method || 'PUT', ticket.uploadUrl, file, ticket.headers || { 'Content-Type': type }, progress);
        if (xhr.status < 200 || xhr.status >= 300) throw new Error(`Storage refused the file (${xhr.status}).`);
        image = await json(`/bff/uploads/${encodeURIComponent(ticket.id)}/complete`);
      }
      ui.progress.value = 100;
      ui.row.dataset.imageId = image.id;
      ui.row.dataset.doneAt = String(performance.now());
      ui.row.classList.add('done');
      ui.status.textContent = 'Uploaded. Processing…';
      window.stoxGallery?.refreshCard(image.id, { prepend: true }).catch(() => {});
    } catch (error) {
      fail(error.message || 'The upload failed.');
    } finally {
      ui.done();
    }
  };

  const take = (files) => { for (const file of files) upload(file); };
  for (const input of panel.querySelectorAll('input[type=file]')) {
    input.addEventListener('change', () => { take([...input.files]); input.value = ''; }, { signal });
  }
  // Tells tests (and anyone scripting the page) that a picked file is now handled.
  panel.dataset.ready = 'true';
  for (const name of ['dragenter', 'dragover']) {
    dropzone.addEventListener(name, (e) => { e.preventDefault(); dropzone.classList.add('over'); }, { signal });
  }
  for (const name of ['dragleave', 'drop']) {
    dropzone.addEventListener(name, () => dropzone.classList.remove('over'), { signal });
  }
  dropzone.addEventListener('drop', (e) => { e.preventDefault(); take([...(e.dataTransfer?.files ?? [])]); }, { signal });
});
