// The Create page: a live character count for the prompt and the cost for the number of pictures asked for. Without
// script the page shows the cost per picture and the total for the count it was drawn with.
window.stox.onPage('#create', (page, signal) => {
  'use strict';
  const prompt = document.getElementById('prompt');
  const counter = document.getElementById('prompt-count');
  if (prompt && counter) {
    const max = prompt.dataset.maxLength || prompt.maxLength;
    const show = () => { counter.textContent = `${prompt.value.length} / ${max}`; };
    prompt.addEventListener('input', show, { signal });
    show();
  }

  const count = document.getElementById('count');
  const cost = document.getElementById('cost');
  const total = document.getElementById('cost-total');
  if (count && cost && total) {
    const perImage = Number(cost.dataset.costPerImage) || 0;
    const credits = (n) => (n === 1 ? '1 credit' : `${n} credits`);
    const show = () => {
      const n = Math.floor(Number(count.value));
      if (!Number.isFinite(n) || n < 1) return;
      total.textContent = credits(n * perImage);
    };
    count.addEventListener('input', show, { signal });
    show();
  }
});
