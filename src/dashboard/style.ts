/** The dashboard's stylesheet: light and dark, readable on a laptop, visible keyboard focus. */
export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #f5f6f8; --panel: #ffffff; --text: #1b1f27; --muted: #5d6675; --line: #e2e5eb; --soft: #eef1f5;
  --accent: #2456d6; --accent-soft: #e6edfc; --danger: #c4262e; --danger-soft: #fdecec; --ok: #18794e;
  --focus: #f2a900;
  --s-waiting: #8a94a6; --s-scheduled: #7c4dd6; --s-pending: #2563eb; --s-running: #0e8a8a;
  --s-succeeded: #18794e; --s-failed: #c76a00; --s-dead: #c4262e; --s-cancelled: #6b7280;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --radius: 8px;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #11141a; --panel: #1a1f27; --text: #e6e9ef; --muted: #9aa3b2; --line: #2c333e; --soft: #222833;
    --accent: #7aa2ff; --accent-soft: #1f2a44; --danger: #ff6b6b; --danger-soft: #3a1f22; --ok: #4cc38a;
    --s-pending: #6b9bff; --s-scheduled: #b18cff; --s-running: #3cc4c4; --s-succeeded: #4cc38a;
    --s-failed: #f0a04b; --s-dead: #ff6b6b; --s-cancelled: #9aa3b2;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
  background: var(--bg); color: var(--text); min-height: 100vh; display: flex; flex-direction: column;
}
a { color: var(--accent); }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
[tabindex="-1"]:focus { outline: none; }
.skip { position: absolute; left: -999px; top: 8px; background: var(--panel); padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.top {
  display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 56px;
  background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5;
}
.brand { display: flex; align-items: center; gap: 10px; font-weight: 600; white-space: nowrap; }
.logo { display: inline-grid; place-items: center; width: 30px; height: 30px; border-radius: 7px; background: var(--accent); color: #fff; font-family: var(--mono); font-weight: 700; }
.broker { color: var(--muted); font-weight: 400; font-family: var(--mono); font-size: 12.5px; }
.tabs { display: flex; gap: 4px; flex: 1; }
.tabs a { padding: 8px 12px; border-radius: 6px; color: var(--muted); text-decoration: none; font-weight: 500; }
.tabs a:hover { background: var(--soft); color: var(--text); }
.tabs a[aria-current="page"] { background: var(--accent-soft); color: var(--accent); }
.count { display: inline-block; min-width: 20px; padding: 0 6px; border-radius: 10px; background: var(--danger); color: #fff; font-size: 11.5px; text-align: center; margin-left: 4px; }
.live { display: flex; align-items: center; gap: 8px; color: var(--muted); font-size: 13px; white-space: nowrap; }
.live .dot { width: 9px; height: 9px; border-radius: 50%; background: var(--s-failed); }
.live.on .dot { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }

main { flex: 1; width: 100%; max-width: 1440px; margin: 0 auto; padding: 20px 24px 32px; outline: none; }
.foot { color: var(--muted); font-size: 12.5px; padding: 12px 24px 20px; text-align: center; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 15px; margin: 0; }
.view-head { display: flex; align-items: center; gap: 12px; margin-bottom: 16px; flex-wrap: wrap; }
.view-head .spacer { flex: 1; }
.muted { color: var(--muted); }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; margin-bottom: 16px; }
.panel-head { display: flex; align-items: center; gap: 12px; margin-bottom: 12px; flex-wrap: wrap; }
.panel-head ~ .panel-head { margin-top: 16px; }
.filters .spacer { flex: 1; }
.panel-head .spacer { flex: 1; }
.grid2 { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; }
@media (max-width: 1100px) { .grid2 { grid-template-columns: 1fr; } }

.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 14px; border-top: 3px solid var(--line); }
.card .label { color: var(--muted); font-size: 12.5px; }
.card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; }
.card[data-state] { border-top-color: var(--state-color); }

.button {
  font: inherit; font-weight: 500; font-size: 13px; padding: 5px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: var(--panel); color: var(--text); white-space: nowrap;
}
.button:hover { background: var(--soft); }
.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.button.primary:hover { filter: brightness(1.08); }
.button.danger { color: var(--danger); border-color: color-mix(in srgb, var(--danger) 40%, var(--line)); }
.button.danger:hover { background: var(--danger-soft); }
.button:disabled { opacity: 0.5; cursor: not-allowed; }
.button.small { padding: 2px 9px; font-size: 12.5px; }
.actions { display: flex; gap: 6px; justify-content: flex-end; }

input, select {
  font: inherit; font-size: 13px; padding: 5px 8px; border-radius: 6px; border: 1px solid var(--line);
  background: var(--panel); color: var(--text);
}
.filters { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; }
.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.filters input[type="search"] { width: 320px; }

table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
tr:last-child td { border-bottom: none; }
td.num, th.num { text-align: right; }
td.id a { font-family: var(--mono); font-size: 12.5px; text-decoration: none; }
td.id a:hover { text-decoration: underline; }
td.error { max-width: 340px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--danger); font-family: var(--mono); font-size: 12px; }
tr.fresh td { animation: fresh 1.6s ease-out; }
@keyframes fresh { from { background: var(--accent-soft); } to { background: transparent; } }
.empty { color: var(--muted); padding: 20px 8px; text-align: center; }
.table-wrap { overflow-x: auto; }

.badge { display: inline-flex; align-items: center; gap: 5px; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: var(--state-color); background: color-mix(in srgb, var(--state-color) 12%, transparent); white-space: nowrap; }
.badge::before { content: ""; width: 6px; height: 6px; border-radius: 50%; background: var(--state-color); }
[data-state="waiting"] { --state-color: var(--s-waiting); }
[data-state="scheduled"] { --state-color: var(--s-scheduled); }
[data-state="pending"] { --state-color: var(--s-pending); }
[data-state="running"] { --state-color: var(--s-running); }
[data-state="succeeded"] { --state-color: var(--s-succeeded); }
[data-state="failed"] { --state-color: var(--s-failed); }
[data-state="dead"] { --state-color: var(--s-dead); }
[data-state="cancelled"] { --state-color: var(--s-cancelled); }
[data-state="paused"] { --state-color: var(--s-failed); }
[data-state="active"] { --state-color: var(--s-succeeded); }
.chip { display: inline-block; font-size: 12px; padding: 0 7px; margin: 1px 2px; border-radius: 4px; background: var(--soft); white-space: nowrap; }

.chart { width: 100%; display: block; }
.chart text { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { stroke: var(--muted); stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 8px; font-size: 12.5px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend i { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
.legend b { font-variant-numeric: tabular-nums; }
.segmented { display: inline-flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.segmented button { font: inherit; font-size: 12.5px; border: none; background: var(--panel); color: var(--muted); padding: 4px 10px; cursor: pointer; border-right: 1px solid var(--line); }
.segmented button:last-child { border-right: none; }
.segmented button[aria-pressed="true"] { background: var(--accent-soft); color: var(--accent); font-weight: 600; }

.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 10px 20px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
pre.block { background: var(--soft); border-radius: 6px; padding: 10px 12px; margin: 0; overflow: auto; max-height: 360px; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.block.error { color: var(--danger); background: var(--danger-soft); }
.progress { height: 8px; border-radius: 4px; background: var(--soft); overflow: hidden; width: 160px; display: inline-block; vertical-align: middle; margin-right: 8px; }
.progress > span { display: block; height: 100%; background: var(--s-running); }
.slots { display: inline-flex; gap: 2px; vertical-align: middle; margin-right: 6px; }
.slots i { width: 8px; height: 14px; border-radius: 2px; background: var(--soft); border: 1px solid var(--line); }
.slots i.busy { background: var(--s-running); border-color: var(--s-running); }
.timeline { list-style: none; margin: 0; padding: 0 0 0 4px; }
.timeline li { position: relative; padding: 0 0 14px 22px; border-left: 2px solid var(--line); margin-left: 5px; }
.timeline li:last-child { border-left-color: transparent; padding-bottom: 0; }
.timeline li::before { content: ""; position: absolute; left: -7px; top: 3px; width: 12px; height: 12px; border-radius: 50%; background: var(--panel); border: 2px solid var(--state-color, var(--muted)); }
.timeline .when { color: var(--muted); font-size: 12px; margin-left: 6px; }
.timeline .why { display: block; color: var(--danger); font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }

.toasts { position: fixed; right: 20px; bottom: 20px; display: flex; flex-direction: column; gap: 8px; z-index: 20; }
.toast { background: var(--text); color: var(--bg); padding: 10px 14px; border-radius: 6px; box-shadow: 0 4px 18px rgb(0 0 0 / 0.2); max-width: 420px; }
.toast.error { background: var(--danger); color: #fff; }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 20px; background: var(--panel); color: var(--text); max-width: 440px; box-shadow: 0 10px 40px rgb(0 0 0 / 0.25); }
dialog::backdrop { background: rgb(0 0 0 / 0.35); }
dialog h2 { margin-bottom: 8px; }
.dialog-actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 16px; }
.notice { padding: 12px; background: var(--danger-soft); border-radius: 6px; }
`;
