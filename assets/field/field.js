// Offline field work: "my doors", door visits and quarantine checks that are saved on the
// phone (IndexedDB) and send themselves when the network returns. Plain JS, so it opens from
// the home screen with no server. The server checks every record with the same screening
// service as the online pages; this file only collects answers and keeps them safe.
"use strict";

const DB_NAME = "cep-field";
const SEND_BATCH = 25;
// On a weak signal a request can hang until the browser gives up, minutes later: stop
// waiting after this long (reading the answer included) and use what the phone has.
const DOWNLOAD_TIMEOUT_MS = 15000;
const SEND_TIMEOUT_MS = 20000; // a batch is stored once however often it is sent
// Sent records (health answers) leave the phone after a week; waiting ones always stay.
const KEEP_SENT_DAYS = 7;
const SYMPTOMS = ["fever", "cough", "fatigue", "sore_throat", "taste_smell", "other"];
const OUTCOMES = ["visited", "not_home", "refused", "vacant"];
// Shown before the first download, when the catalog is not on the phone yet.
const FALLBACK = {
  "field.title": "离线入户 · Offline doors",
  "field.first_download": "请先在有网络时打开一次，下载你负责的楼栋。/ Open once online to download your buildings.",
  "field.login_again": "登录已过期，请重新登录；已保存的记录留在手机上。/ Please log in again; saved records stay on the phone.",
};

const state = {
  pkg: null, // the downloaded package
  outbox: [], // records waiting to send
  sent: [], // outcomes of sent records: saved or refused with the reason
  view: "doors",
  visit: null, // {round_id, household_id}
  sending: false,
  banner: "",
  storageFull: false,
};

// ---------------------------------------------------------------- storage

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("package");
      db.createObjectStore("outbox", { keyPath: "client_id" });
      db.createObjectStore("sent", { keyPath: "client_id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let dbPromise = null;
function db() {
  dbPromise = dbPromise || openDb();
  return dbPromise;
}

async function tx(store, mode, work) {
  const conn = await db();
  return new Promise((resolve, reject) => {
    const t = conn.transaction(store, mode);
    const result = work(t.objectStore(store));
    t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new DOMException("aborted", "AbortError"));
  });
}

const getAll = (store) => tx(store, "readonly", (s) => s.getAll());
const put = (store, value, key) => tx(store, "readwrite", (s) => (key ? s.put(value, key) : s.put(value)));
const remove = (store, key) => tx(store, "readwrite", (s) => s.delete(key));

// ---------------------------------------------------------------- text

function tr(key, params) {
  const strings = (state.pkg && state.pkg.strings) || {};
  let text = strings[key] || FALLBACK[key] || key;
  for (const [name, value] of Object.entries(params || {})) text = text.replaceAll(`{${name}}`, value);
  return text;
}

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function localTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getMonth() + 1}-${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ---------------------------------------------------------------- download and send

function fetchWithin(url, options, ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return fetch(url, { ...options, signal: controller.signal });
}

// The day's door states and quarantine checks onto the package the phone has.
function withChanges(pkg, changes) {
  const outcomes = new Map(changes.doors.map(([round, household, outcome]) => [`${round}:${household}`, outcome]));
  const buildings = pkg.buildings.map((b) => ({
    ...b,
    doors: b.doors.map((d) => ({ ...d, outcome: outcomes.get(`${b.round_id}:${d.household_id}`) || "" })),
  }));
  return { ...pkg, buildings, plans: changes.plans, version: changes.version, downloaded_at: changes.downloaded_at };
}

async function download() {
  // With the version the phone has, the server answers "unchanged" (304), or only what
  // changes all day (door states, checks), or the whole package.
  const version = state.pkg && state.pkg.version;
  let response, pkg;
  try {
    const url = version ? `/api/field/download?since=${encodeURIComponent(version)}` : "/api/field/download";
    const headers = version ? { "If-None-Match": `W/"${version}"` } : {};
    response = await fetchWithin(url, { credentials: "same-origin", cache: "no-store", headers }, DOWNLOAD_TIMEOUT_MS);
    if (response.status === 401) {
      const body = await response.json().catch(() => ({}));
      state.banner = `${esc(body.message || tr("field.login_again"))} <a href="/login">${esc(tr("field.log_in"))}</a>`;
      return render();
    }
    if (response.status === 304) pkg = { ...state.pkg, downloaded_at: new Date().toISOString() };
    else if (!response.ok) return;
    else {
      const body = await response.json();
      pkg = body.changes ? withChanges(state.pkg, body) : body;
    }
  } catch {
    return; // offline, or the signal too weak to finish: keep what the phone has
  }
  try {
    await put("package", pkg, "current");
  } catch (error) {
    return storageProblem(error);
  }
  state.pkg = pkg;
  state.banner = "";
  render();
}

function pruneSent() {
  const before = new Date(Date.now() - KEEP_SENT_DAYS * 86400000).toISOString();
  return tx("sent", "readwrite", (store) => {
    store.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      if (cursor.value.at && cursor.value.at < before) cursor.delete();
      cursor.continue();
    };
  });
}

async function loadLocal() {
  try {
    await pruneSent();
    const [pkgs, outbox, sent] = await Promise.all([
      tx("package", "readonly", (s) => s.get("current")),
      getAll("outbox"),
      getAll("sent"),
    ]);
    state.pkg = pkgs || null;
    state.outbox = [];
    for (const record of outbox) {
      // A record that is not whole any more is shown, not sent and not dropped.
      if (record && typeof record.client_id === "string" && record.kind && record.data) state.outbox.push(record);
      else state.sent.push({ client_id: String(record?.client_id ?? Math.random()), status: "refused", message: tr("field.damaged"), record });
    }
    state.sent = state.sent.concat(sent).sort((a, b) => (b.at || "").localeCompare(a.at || ""));
  } catch (error) {
    state.banner = esc(tr("field.storage_unavailable"));
  }
}

async function sendWaiting() {
  if (state.sending || !navigator.onLine || state.outbox.length === 0) return;
  state.sending = true;
  render();
  try {
    while (state.outbox.length) {
      const batch = state.outbox.slice(0, SEND_BATCH);
      let response;
      try {
        response = await fetchWithin("/api/field/sync", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ records: batch }),
        }, SEND_TIMEOUT_MS);
      } catch {
        break; // the network went away half-way: what was not confirmed stays waiting
      }
      if (response.status === 401) {
        const body = await response.json().catch(() => ({}));
        state.banner = `${esc(body.message || tr("field.login_again"))} <a href="/login">${esc(tr("field.log_in"))}</a>`;
        break;
      }
      if (!response.ok) break;
      const answer = await response.json().catch(() => null);
      if (!answer) break; // the answer was cut off: the batch is sent again later
      const { results } = answer;
      const done = [];
      for (const result of results) {
        if (result.status === "retry") continue;
        const record = batch.find((r) => r.client_id === result.client_id);
        if (record) done.push({ ...result, at: new Date().toISOString(), label: record.label, record });
      }
      // One storage transaction and one redraw per batch, not per record.
      await settle(done);
      const progressed = done.length > 0;
      if (!progressed) break;
    }
  } finally {
    state.sending = false;
    render();
  }
  if (!state.outbox.length && !state.banner) download();
}

async function settle(outcomes) {
  if (!outcomes.length) return;
  const conn = await db();
  await new Promise((resolve, reject) => {
    const t = conn.transaction(["outbox", "sent"], "readwrite");
    for (const outcome of outcomes) {
      t.objectStore("sent").put(outcome);
      t.objectStore("outbox").delete(outcome.client_id);
    }
    t.oncomplete = resolve;
    t.onerror = () => reject(t.error);
  });
  const ids = new Set(outcomes.map((o) => o.client_id));
  state.outbox = state.outbox.filter((r) => !ids.has(r.client_id));
  state.sent = outcomes.slice().reverse().concat(state.sent);
  render();
}

function storageProblem(error) {
  state.storageFull = error && (error.name === "QuotaExceededError" || /quota/i.test(String(error)));
  state.banner = esc(tr(state.storageFull ? "field.storage_full" : "field.storage_unavailable"));
  render();
  return false;
}

async function keep(record) {
  const started = performance.now();
  try {
    await put("outbox", record);
  } catch (error) {
    return storageProblem(error);
  }
  window.__lastSaveMs = performance.now() - started;
  state.outbox.push(record);
  state.banner = state.storageFull ? "" : state.banner;
  state.storageFull = false;
  sendWaiting();
  return true;
}

// ---------------------------------------------------------------- views

// What the phone knows of each door beyond the download: "<round>:<household>" → state.
function localDoors() {
  const doors = new Map();
  for (const r of state.sent.slice().reverse()) {
    if (["saved", "conflict"].includes(r.status) && r.record?.kind === "visit") doors.set(`${r.record.data.round_id}:${r.record.data.household_id}`, { outcome: r.record.data.outcome, waiting: false });
  }
  for (const r of state.outbox) {
    if (r.kind === "visit") doors.set(`${r.data.round_id}:${r.data.household_id}`, { outcome: r.data.outcome, waiting: true });
  }
  return doors;
}

function doorState(local, householdId, roundId, serverOutcome) {
  return local.get(`${roundId}:${householdId}`) || { outcome: serverOutcome, waiting: false };
}

function viewDoors() {
  const pkg = state.pkg;
  if (!pkg) return `<p class="muted">${esc(tr("field.first_download"))}</p>`;
  const head = `<div class="card"><div class="row spread"><strong>${esc(pkg.user_name)}</strong>
    <span class="muted" id="downloaded">${esc(tr("field.downloaded_at", { time: localTime(pkg.downloaded_at) }))}</span></div>
    <button class="btn wide" type="button" data-action="download">${esc(tr("field.download_again"))}</button></div>`;
  if (!pkg.buildings.length) return head + `<p class="muted">${esc(tr("doors.none"))}</p>`;
  const local = localDoors();
  const buildings = pkg.buildings.map((b) => {
    const units = {};
    for (const d of b.doors) (units[d.unit] = units[d.unit] || []).push(d);
    const done = b.doors.filter((d) => ["visited", "refused", "vacant"].includes(doorState(local, d.household_id, b.round_id, d.outcome).outcome)).length;
    return `<section class="card"><div class="row spread"><h2>${esc(b.name)}</h2><strong>${done} / ${b.doors.length}</strong></div>
      ${Object.entries(units).map(([unit, doors]) => `<p class="muted">${esc(unit)}${esc(tr("doors.unit_suffix"))}</p>
        <div class="doors">${doors.map((d) => {
          const s = doorState(local, d.household_id, b.round_id, d.outcome);
          return `<button type="button" class="door ${esc(s.outcome)}${s.waiting ? " waiting" : ""}" data-action="visit" data-round="${b.round_id}" data-household="${d.household_id}" aria-label="${esc(d.address)}">${esc(d.door)}</button>`;
        }).join("")}</div>`).join("")}</section>`;
  });
  return head + buildings.join("");
}

function findDoor(roundId, householdId) {
  for (const b of state.pkg.buildings) {
    if (b.round_id !== roundId) continue;
    const door = b.doors.find((d) => d.household_id === householdId);
    if (door) return { building: b, door };
  }
  return null;
}

function personFields(key) {
  const [low, high] = state.pkg.temperature_range || [34, 43];
  return `<div class="field"><span>${esc(tr("visit.temperature"))}</span>
      <input name="temperature-${key}" inputmode="decimal" placeholder="36.5" data-low="${low}" data-high="${high}">
      <span class="error" data-error="temperature-${key}"></span></div>
    <div class="grid2">${SYMPTOMS.map((s) => `<label class="check"><input type="checkbox" name="sym-${key}-${s}">${esc(tr("symptom." + s))}</label>`).join("")}</div>
    <label class="check"><input type="checkbox" name="travel-${key}">${esc(tr("visit.travel"))}</label>
    <div class="grid2"><label class="field"><span>${esc(tr("visit.travel_place"))}</span><input name="travel_place-${key}"></label>
      <label class="field"><span>${esc(tr("visit.travel_date"))}</span><input type="date" name="travel_date-${key}"></label></div>`;
}

function viewVisit() {
  const found = findDoor(state.visit.round_id, state.visit.household_id);
  if (!found) return `<p class="muted">${esc(tr("errors.not_found"))}</p>`;
  const { building, door } = found;
  const members = door.members.map((m) => `<div class="card" data-member="${m.resident_id}">
      <div class="row spread"><div><strong>${esc(m.name)}</strong>
        <p class="muted">${esc(tr("sex." + m.sex))}${m.age != null ? " · " + esc(tr("visit.age", { age: m.age })) : ""}${m.relation ? " · " + esc(m.relation) : ""}</p></div>
        <button class="btn" type="button" data-action="away" aria-pressed="true">${esc(tr("visit.home"))}</button></div>
      <details><summary class="muted">${esc(tr("visit.answers"))}</summary>${personFields(m.resident_id)}</details></div>`).join("");
  return `<div><h2>${esc(door.address)}</h2><p class="muted">${esc(building.round_name)}</p></div>
    <form id="visit-form" class="card" novalidate>
      ${door.members.length ? `<button class="btn primary" type="button" data-action="all-normal">${esc(tr("visit.all_normal"))}</button>` : ""}
      <div class="outcomes" role="radiogroup" aria-label="${esc(tr("visit.outcome"))}">
        ${OUTCOMES.map((o) => `<button type="button" class="btn" role="radio" data-action="outcome" data-outcome="${o}" aria-pressed="${o === "visited"}" aria-checked="${o === "visited"}">${esc(tr("outcome." + o))}</button>`).join("")}
      </div>
      <div id="members">${members}</div>
      <label class="field"><span>${esc(tr("visit.note"))}</span><input name="note"></label>
      <p class="error" id="form-error"></p>
      <div class="sticky"><button class="btn primary" type="submit">${esc(tr("field.save_on_phone"))}</button></div>
      <button class="btn wide" type="button" data-action="back">${esc(tr("field.back"))}</button>
    </form>`;
}

function viewChecks() {
  const plans = (state.pkg && state.pkg.plans) || [];
  if (!plans.length) return `<p class="muted">${esc(tr("today.none.plans"))}</p>`;
  return plans.map((p) => {
    const waiting = state.outbox.some((r) => r.kind === "check" && r.plan_id === p.id);
    const done = p.checked_today || waiting || state.sent.some((r) => r.status === "saved" && r.record?.plan_id === p.id);
    return `<form class="card" data-plan="${p.id}" novalidate>
      <div class="row spread"><strong>${esc(p.name)}</strong><span class="muted">${esc(tr("today.day_of", { day: p.day, days: p.days }))}</span></div>
      <p class="muted">${esc(p.address)}</p>
      ${done ? `<span class="badge saved">${esc(tr(waiting ? "field.waiting_one" : "today.done_today"))}</span>` : `${personFields("p" + p.id)}
      <button class="btn primary" type="submit">${esc(tr("today.save_check"))}</button>`}
    </form>`;
  }).join("");
}

function viewSent() {
  const waiting = state.outbox.map((r) => `<div class="card"><div class="row spread"><span>${esc(r.label)}</span><span class="badge">${esc(tr("field.waiting_one"))}</span></div></div>`);
  const sent = state.sent.slice(0, 100).map((r) => `<div class="card"><div class="row spread"><span>${esc(r.label || r.record?.label || "")}</span>
      <span class="badge ${r.status}">${esc(tr("field.status." + r.status))}</span></div>
      ${r.message ? `<p class="error">${esc(r.message)}</p>` : ""}
      ${r.cue ? `<p class="cue-text">${esc(r.cue)}</p>` : ""}
      ${["refused", "conflict"].includes(r.status) ? `<button class="btn" type="button" data-action="dismiss" data-id="${esc(r.client_id)}">${esc(tr("field.dismiss"))}</button>` : ""}</div>`);
  const send = state.outbox.length ? `<button class="btn primary" type="button" data-action="send">${esc(tr("field.send_now"))}</button>` : "";
  return send + (waiting.join("") + sent.join("") || `<p class="muted">${esc(tr("field.nothing_sent"))}</p>`);
}

// A visit that came back as home quarantine or a fever-clinic referral: the same warning the
// online visit page gives, kept on screen (it may arrive long after the visit) until seen.
function viewCues() {
  return state.sent.filter((r) => r.cue && !r.cue_seen).map((r) => `<div class="cue">
      <strong>${esc(r.label || r.record?.label || "")}</strong><p>${esc(r.cue)}</p>
      <button class="btn" type="button" data-action="cue-seen" data-id="${esc(r.client_id)}">${esc(tr("field.cue_seen"))}</button></div>`).join("");
}

function render() {
  document.getElementById("title").textContent = tr("field.title");
  const cues = document.getElementById("cues");
  cues.innerHTML = viewCues();
  cues.hidden = !cues.innerHTML;
  const badge = document.getElementById("waiting");
  badge.hidden = !state.pkg && !state.outbox.length;
  badge.textContent = state.outbox.length ? tr("field.waiting", { count: state.outbox.length }) : tr("field.all_sent");
  badge.classList.toggle("ok", !state.outbox.length);
  const net = document.getElementById("net");
  net.hidden = navigator.onLine;
  net.textContent = tr("field.offline");
  const banner = document.getElementById("banner");
  banner.hidden = !state.banner;
  banner.innerHTML = state.banner;
  for (const [view, key] of [["doors", "doors.title"], ["checks", "today.tab.plans"], ["sent", "field.sent"]]) {
    const tab = document.getElementById(`tab-${view}`);
    tab.textContent = tr(key);
    tab.setAttribute("aria-current", state.view === view ? "page" : "false");
  }
  if (state.view === "visit" && document.getElementById("visit-form")) return; // keep typed answers
  const main = document.getElementById("main");
  main.innerHTML = { doors: viewDoors, visit: viewVisit, checks: viewChecks, sent: viewSent }[state.view]();
}

function show(view) {
  state.view = view;
  const main = document.getElementById("main");
  main.innerHTML = "";
  render();
  window.scrollTo(0, 0);
}

// ---------------------------------------------------------------- reading the forms

function answers(form, key) {
  const value = (name) => (form.elements[`${name}-${key}`] ? form.elements[`${name}-${key}`].value.trim() : "");
  const checked = (name) => !!(form.elements[name] && form.elements[name].checked);
  return {
    temperature: value("temperature"),
    symptoms: SYMPTOMS.filter((s) => checked(`sym-${key}-${s}`)),
    travel: checked(`travel-${key}`),
    travel_place: value("travel_place"),
    travel_date: value("travel_date"),
  };
}

// The thermometer range comes from the server's rule: ask to re-check at the door.
function temperatureProblems(form) {
  let ok = true;
  for (const input of form.querySelectorAll("input[name^=temperature-]")) {
    const out = form.querySelector(`[data-error="${input.name}"]`);
    const text = input.value.trim();
    const number = Number(text);
    const bad = text !== "" && (!Number.isFinite(number) || number < Number(input.dataset.low) || number > Number(input.dataset.high));
    input.setAttribute("aria-invalid", bad ? "true" : "false");
    if (out) out.textContent = bad ? tr("errors.temperature_recheck") : "";
    if (bad) {
      input.closest("details")?.setAttribute("open", "");
      ok = false;
    }
  }
  return ok;
}

async function saveVisit(form, allNormal) {
  const { round_id, household_id } = state.visit;
  const { door } = findDoor(round_id, household_id);
  const chosen = form.querySelector("[data-action=outcome][aria-pressed=true]");
  const outcome = allNormal ? "visited" : chosen ? chosen.dataset.outcome : "visited";
  if (!allNormal && !temperatureProblems(form)) return;
  const present = door.members.filter((m) => {
    const card = form.querySelector(`[data-member="${m.resident_id}"] [data-action=away]`);
    return allNormal || !card || card.getAttribute("aria-pressed") === "true";
  });
  if (outcome === "visited" && !present.length) {
    form.querySelector("#form-error").textContent = tr("errors.visit_needs_people");
    return;
  }
  const record = {
    client_id: crypto.randomUUID().replaceAll("-", ""),
    kind: "visit",
    label: `${door.address} · ${tr("outcome." + outcome)}`,
    data: {
      round_id,
      household_id,
      outcome,
      note: form.elements.note ? form.elements.note.value.trim() : "",
      recorded_at: new Date().toISOString(),
      people: outcome === "visited" ? present.map((m) => ({ resident_id: m.resident_id, ...(allNormal ? {} : answers(form, m.resident_id)) })) : [],
    },
  };
  if (await keep(record)) {
    state.visit = null;
    show("doors");
  }
}

async function saveCheck(form) {
  if (!temperatureProblems(form)) return;
  const planId = Number(form.dataset.plan);
  const plan = state.pkg.plans.find((p) => p.id === planId);
  const a = answers(form, "p" + planId);
  if (!a.temperature) {
    const out = form.querySelector(`[data-error="temperature-p${planId}"]`);
    if (out) out.textContent = tr("errors.missing");
    return;
  }
  const record = {
    client_id: crypto.randomUUID().replaceAll("-", ""),
    kind: "check",
    plan_id: planId,
    label: `${plan.name} · ${tr("today.check")}`,
    data: { temperature: a.temperature, symptoms: a.symptoms },
  };
  if (await keep(record)) render();
}

// ---------------------------------------------------------------- wiring

document.addEventListener("click", async (event) => {
  const target = event.target.closest("[data-action], [data-view]");
  if (!target) return;
  if (target.dataset.view) {
    state.visit = null;
    return show(target.dataset.view);
  }
  const action = target.dataset.action;
  if (action === "visit") {
    state.visit = { round_id: Number(target.dataset.round), household_id: Number(target.dataset.household) };
    show("visit");
  } else if (action === "outcome") {
    for (const b of target.parentElement.children) {
      const on = b === target;
      b.setAttribute("aria-pressed", String(on));
      b.setAttribute("aria-checked", String(on));
    }
    document.getElementById("members").hidden = target.dataset.outcome !== "visited";
  } else if (action === "away") {
    const home = target.getAttribute("aria-pressed") !== "true";
    target.setAttribute("aria-pressed", String(home));
    target.textContent = tr(home ? "visit.home" : "visit.away");
  } else if (action === "all-normal") {
    saveVisit(target.form, true);
  } else if (action === "back") {
    state.visit = null;
    show("doors");
  } else if (action === "send") {
    sendWaiting();
  } else if (action === "download") {
    download();
  } else if (action === "cue-seen") {
    const seen = state.sent.find((r) => r.client_id === target.dataset.id);
    seen.cue_seen = true;
    await put("sent", seen).catch(() => {}); // not kept: it shows again after a reload
    render();
  } else if (action === "dismiss") {
    await remove("sent", target.dataset.id);
    state.sent = state.sent.filter((r) => r.client_id !== target.dataset.id);
    render();
  }
});

document.getElementById("waiting").addEventListener("click", () => show("sent"));

document.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  if (form.id === "visit-form") saveVisit(form, false);
  else if (form.dataset.plan) saveCheck(form);
});

window.addEventListener("online", () => sendWaiting());
window.addEventListener("offline", () => render());
setInterval(() => sendWaiting(), 30000);

(async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await loadLocal();
  render();
  if (navigator.onLine) {
    await sendWaiting();
    if (!state.outbox.length) await download();
  }
})();
