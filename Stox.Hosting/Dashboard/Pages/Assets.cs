namespace Stox.Hosting.Dashboard.Pages;

/// <summary>The dashboard's only stylesheet and script, served from memory: no front-end build.</summary>
internal static class Assets
{
    public const string Css = """
:root { --bg:#f6f7f9; --panel:#fff; --text:#1d2330; --muted:#667085; --line:#e4e7ec; --accent:#3b5bdb; --ok:#2b8a3e; --warn:#e67700; --err:#c92a2a; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--text); background:var(--bg); }
header { display:flex; align-items:center; gap:24px; padding:0 20px; height:52px; background:#1d2330; color:#fff; }
header .brand { font-weight:700; letter-spacing:.2px; }
header .brand small { color:#aab; font-weight:400; margin-left:6px; }
nav a { color:#cfd5e3; text-decoration:none; padding:16px 10px; display:inline-block; border-bottom:3px solid transparent; }
nav a:hover { color:#fff; }
nav a.active { color:#fff; border-bottom-color:#7c93f5; }
main { padding:20px; max-width:1500px; margin:0 auto; }
h1 { font-size:20px; margin:0 0 14px; }
h2 { font-size:16px; margin:18px 0 8px; }
a { color:var(--accent); }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:0; overflow:auto; }
table.grid { width:100%; border-collapse:collapse; }
table.grid th { text-align:left; font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; background:#fafbfc; }
table.grid th, table.grid td { padding:8px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
table.grid tr:last-child td { border-bottom:none; }
table.kv { border-collapse:collapse; font-size:12px; font-family:var(--mono); }
table.kv th { text-align:left; color:var(--muted); font-weight:500; padding:2px 14px 2px 0; white-space:nowrap; vertical-align:top; }
table.kv td { padding:2px 0; word-break:break-all; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; background:#eef0f4; color:#475467; white-space:nowrap; }
.badge.ok { background:#e6f4ea; color:var(--ok); } .badge.warn { background:#fff4e6; color:var(--warn); } .badge.err { background:#fdecec; color:var(--err); } .badge.info { background:#e8edff; color:var(--accent); }
.dot { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; vertical-align:baseline; }
.muted { color:var(--muted); } .mono { font-family:var(--mono); font-size:12.5px; } .nowrap { white-space:nowrap; }
button, .button { font:inherit; font-size:13px; padding:4px 10px; border:1px solid #cfd4dc; border-radius:6px; background:#fff; color:var(--text); cursor:pointer; text-decoration:none; }
button:hover { background:#f2f4f7; } button:disabled { opacity:.5; cursor:default; }
button.danger { color:var(--err); }
form.filters { display:flex; gap:10px; flex-wrap:wrap; align-items:center; margin-bottom:12px; }
input, select { font:inherit; font-size:13px; padding:5px 8px; border:1px solid #cfd4dc; border-radius:6px; background:#fff; }
details summary { cursor:pointer; color:var(--accent); }
.console { background:#11151c; color:#d6dae2; font-family:var(--mono); font-size:12.5px; padding:10px 0; border-radius:8px; height:calc(100vh - 190px); overflow:auto; }
.console .line { padding:0 14px; white-space:pre-wrap; word-break:break-all; }
.console .line.stderr { color:#ff8f8f; }
.console .line .ts { color:#6b7280; margin-right:10px; user-select:none; }
.console .line.hidden { display:none; }
.empty { padding:30px; text-align:center; color:var(--muted); }
.waterfall .row { display:grid; grid-template-columns: 360px 1fr; border-bottom:1px solid var(--line); color:var(--text); }
.waterfall .track { margin-right:12px; }
.waterfall .row:hover { background:#f8f9fb; }
.waterfall .label { padding:5px 10px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.waterfall .track { position:relative; height:28px; }
.waterfall .bar { position:absolute; top:7px; height:14px; border-radius:3px; min-width:2px; }
.waterfall .bar.error { outline:2px solid var(--err); }
.waterfall .dur { position:absolute; top:6px; font-size:11px; color:var(--muted); white-space:nowrap; }
.waterfall .details { grid-column:1 / span 2; padding:6px 12px 10px 36px; background:#fafbfc; }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap:12px; margin-bottom:16px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.card .value { font-size:22px; font-weight:650; } .card .label { color:var(--muted); font-size:12px; }
.login { max-width:420px; margin:12vh auto; background:#fff; border:1px solid var(--line); border-radius:10px; padding:26px; }
.login input { width:100%; margin:10px 0; }
.error-text { color:var(--err); }
""";

    public const string Js = """
(() => {
  const refreshers = [...document.querySelectorAll('[data-live]')];
  const pending = new Map();
  async function refresh(el) {
    const open = [...el.querySelectorAll('details[open][id]')].map(d => d.id);
    const url = new URL(el.dataset.src || location.href, location.href);
    url.searchParams.set('partial', '1');
    const response = await fetch(url, { credentials: 'same-origin' });
    if (response.status === 401) { location.reload(); return; }
    if (!response.ok) return;
    el.innerHTML = await response.text();
    open.forEach(id => { const d = document.getElementById(id); if (d) d.open = true; });
    tick();
  }
  function schedule(topic) {
    for (const el of refreshers) {
      if (el.dataset.live !== topic || pending.has(el)) continue;
      if (el.dataset.paused === '1') continue;
      pending.set(el, setTimeout(() => { pending.delete(el); refresh(el); }, 400));
    }
  }
  if (refreshers.length) {
    const events = new EventSource('/api/events');
    events.addEventListener('resources', () => schedule('resources'));
    events.addEventListener('telemetry', () => schedule('telemetry'));
  }
  function since(iso) {
    let s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60); s = s % 60;
    return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
  }
  function tick() { document.querySelectorAll('[data-since]').forEach(e => e.textContent = since(e.dataset.since)); }
  tick(); setInterval(tick, 1000);
  document.addEventListener('click', async e => {
    const button = e.target.closest('button[data-command]');
    if (!button) return;
    button.disabled = true;
    const response = await fetch(`/api/resources/${encodeURIComponent(button.dataset.resource)}/${button.dataset.command}`,
      { method: 'POST', headers: { 'X-Stox-Dashboard': '1' }, credentials: 'same-origin' });
    if (!response.ok && response.status !== 202) { button.disabled = false; alert(await response.text()); }
  });
  const pause = document.getElementById('pause');
  if (pause) pause.addEventListener('change', () => refreshers.forEach(el => el.dataset.paused = pause.checked ? '1' : '0'));

  const console_ = document.getElementById('console');
  if (console_) {
    const search = document.getElementById('search');
    const follow = document.getElementById('follow');
    const matches = line => !search.value || line.textContent.toLowerCase().includes(search.value.toLowerCase());
    const applyFilter = () => console_.querySelectorAll('.line').forEach(l => l.classList.toggle('hidden', !matches(l)));
    search.addEventListener('input', applyFilter);
    const bottom = () => { if (follow.checked) console_.scrollTop = console_.scrollHeight; };
    bottom();
    const stream = new EventSource(`/api/console/stream?resource=${encodeURIComponent(console_.dataset.resource)}`);
    stream.onmessage = e => {
      const template = document.createElement('template');
      template.innerHTML = e.data;
      const line = template.content.firstElementChild;
      if (!line) return;
      line.classList.toggle('hidden', !matches(line));
      console_.appendChild(line);
      while (console_.childElementCount > 5000) console_.firstElementChild.remove();
      bottom();
    };
  }
})();
""";
}
