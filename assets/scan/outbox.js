// The sampler's scans with no signal: a scan typed or read while the page's connection is down
// goes into an outbox in the phone's storage (in order, each with its own id) instead of
// Reflex's queue, which a reload would lose. When the signal returns the outbox is posted to
// /api/testing/scan in order; the ids make a resend harmless. Then the page shows the tube.
(function () {
  if (window.cepScanOutbox) return;
  const KEY = "cep-scan-outbox";
  const TUBE_KEY = "cep-scan-offline-tube"; // a tube opened with no signal: round and barcode
  let sending = false;

  const load = (key, empty) => {
    try {
      return JSON.parse(localStorage.getItem(key)) || empty;
    } catch (error) {
      return empty;
    }
  };
  const save = (key, value) => localStorage.setItem(key, JSON.stringify(value));
  const context = () => document.getElementById("scan-context");
  // No signal: the phone says so, or the page shows its connection notice.
  const offline = () => !navigator.onLine || document.querySelector(".connection-notice") !== null;
  const newId = () =>
    window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);

  function render() {
    const waiting = load(KEY, []).length;
    let banner = document.getElementById("scan-outbox");
    const words = context() && context().dataset.waiting;
    if (!waiting || !words) {
      if (banner) banner.remove();
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "scan-outbox";
      banner.className = "scan-outbox";
      banner.setAttribute("role", "status");
      banner.style.cssText =
        "position:fixed;left:50%;bottom:calc(5.5rem + env(safe-area-inset-bottom));" +
        "transform:translateX(-50%);z-index:60;" +
        "background:#7c3d00;color:#fff;padding:0.75rem 1.25rem;border-radius:999px;" +
        "font-weight:600;font-size:1.125rem;white-space:nowrap";
      document.body.appendChild(banner);
    }
    banner.textContent = words.replace("{count}", String(waiting));
  }

  function keep(event) {
    const form = event.target;
    if (!form || form.id !== "scan-form" || !offline() || !context()) return;
    event.preventDefault();
    event.stopImmediatePropagation(); // before React's listener: Reflex never queues it
    const input = form.querySelector("#scan");
    const value = input.value.trim();
    input.value = "";
    input.focus();
    if (!value) return;
    const ctx = context().dataset;
    const round = Number(ctx.round);
    const scan = { client_id: newId(), round_id: round, scanned_at: new Date().toISOString() };
    const offlineTube = load(TUBE_KEY, null);
    if (offlineTube && offlineTube.round === round) {
      Object.assign(scan, { barcode: offlineTube.barcode, code: value });
    } else if (Number(ctx.tube)) {
      Object.assign(scan, { tube_id: Number(ctx.tube), code: value });
    } else {
      // No tube open: this is a new tube's barcode, and the next scans go into it.
      Object.assign(scan, { site_id: Number(ctx.site), barcode: value });
      save(TUBE_KEY, { round, barcode: value });
    }
    save(KEY, [...load(KEY, []), scan]);
    render();
  }

  // Tells the page what came back, through its hidden form: the tube to show, the refusals.
  function tell(tubeId, sent, refused) {
    const form = document.getElementById("scan-synced");
    if (!form) return;
    form.elements.tube.value = String(tubeId || "");
    form.elements.sent.value = String(sent);
    form.elements.refused.value = refused.join("\n");
    form.requestSubmit();
  }

  async function flush() {
    const waiting = load(KEY, []);
    if (sending || !waiting.length || offline()) return;
    sending = true;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 20000);
    try {
      const batch = waiting.slice(0, 100);
      const response = await fetch("/api/testing/scan", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ scans: batch }),
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) return; // logged out or refused whole: the scans stay on the phone
      const { results } = await response.json();
      const answered = new Set(results.map((r) => r.client_id));
      save(KEY, load(KEY, []).filter((s) => !answered.has(s.client_id)));
      if (!load(KEY, []).length) localStorage.removeItem(TUBE_KEY);
      const applied = results.filter((r) => r.status === "ok");
      const tubes = results.filter((r) => r.tube_id).map((r) => r.tube_id);
      const refused = results.filter((r) => r.status !== "ok").map((r) => r.message);
      tell(tubes[tubes.length - 1], applied.length, refused);
    } catch (error) {
      // No answer (the signal went again): the scans stay and go next time.
    } finally {
      clearTimeout(timer);
      sending = false;
      render();
    }
  }

  window.addEventListener("submit", keep, true);
  window.addEventListener("online", flush);
  setInterval(() => {
    render();
    flush();
  }, 1500);
  window.cepScanOutbox = { flush, render };
})();
