// Search by name as you type (issue 34): every <input data-zoek> gets suggestions from /api/zoeken — streets (with a
// number: the address), postcodes, woonplaatsen, buurten, wijken, dorpen and the local names — in an accessible listbox
// (the ARIA combobox pattern: arrow keys, Enter, Escape; aria-activedescendant). Choosing one goes to the input's form
// action with the place: ?postcode=&huisnummer=&toevoeging= for an address, else ?lat=&lon=. Without this script (or
// before it loads) the form still works: it submits ?zoek=… and the page answers with the best match.
//
// With data-zoek="vul" (the melding form) only addresses are suggested, and choosing one fills the form's postcode,
// huisnummer and toevoeging fields instead of leaving the page.
//
// Delegated from the document, so it works on server-rendered pages and on Blazor pages alike; the listbox lives at the
// end of <body> (never inside a Blazor-rendered element, whose children Blazor keeps track of).
(() => {
  "use strict";
  let box = null, input = null, items = [], active = -1, timer = 0, seq = 0;

  const listbox = () => {
    if (box) return box;
    box = document.createElement("ul");
    box.id = "zoek-suggesties";
    box.setAttribute("role", "listbox");
    box.setAttribute("aria-label", "Suggesties");
    box.className = "zoek-suggesties";
    box.hidden = true;
    box.addEventListener("mousedown", e => e.preventDefault()); // keep the focus in the input
    box.addEventListener("click", e => {
      const li = e.target.closest("li[data-i]");
      if (li) choose(Number(li.dataset.i));
    });
    document.body.appendChild(box);
    return box;
  };

  const close = () => {
    if (box) box.hidden = true;
    if (input) { input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
    active = -1;
  };

  const place = () => {
    const r = input.getBoundingClientRect();
    Object.assign(box.style, { left: `${r.left + scrollX}px`, top: `${r.bottom + scrollY}px`, width: `${Math.max(r.width, 260)}px` });
  };

  const text = (el, s) => { el.textContent = s; return el; };

  const render = () => {
    const b = listbox();
    b.replaceChildren();
    items.forEach((it, i) => {
      const li = document.createElement("li");
      li.id = `zoek-optie-${i}`;
      li.setAttribute("role", "option");
      li.dataset.i = i;
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.appendChild(text(document.createElement("strong"), it.label));
      const where = [it.sub, it.kind === "adres" || it.kind === "straat" ? it.wijk : null, it.gebiedsteam].filter(Boolean).join(" · ");
      if (where) li.appendChild(text(document.createElement("span"), where));
      b.appendChild(li);
    });
    b.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", `zoek-optie-${active}`); else input.removeAttribute("aria-activedescendant");
    if (items.length) place();
  };

  const fill = (form, name, value) => {
    const el = form?.elements.namedItem(name);
    if (!(el instanceof HTMLInputElement)) return;
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const choose = i => {
    const it = items[i];
    if (!it || !input) return;
    const form = input.form;
    if (input.dataset.zoek === "vul") {
      fill(form, "Input.Postcode", `${it.postcode.slice(0, 4)} ${it.postcode.slice(4)}`);
      fill(form, "Input.Huisnummer", String(it.huisnummer));
      fill(form, "Input.Toevoeging", it.toevoeging || "");
      input.value = it.label;
      close();
      return;
    }
    const target = new URL(form?.getAttribute("action") || location.pathname, document.baseURI);
    if (it.kind === "adres" && it.postcode) {
      target.searchParams.set("postcode", it.postcode);
      target.searchParams.set("huisnummer", String(it.huisnummer));
      if (it.toevoeging) target.searchParams.set("toevoeging", it.toevoeging);
    } else {
      target.searchParams.set("lat", it.lat.toFixed(6));
      target.searchParams.set("lon", it.lon.toFixed(6));
    }
    input.value = it.label;
    close();
    location.assign(target.toString());
  };

  const suggest = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) { items = []; render(); return; }
    try {
      const r = await fetch(`${document.baseURI.replace(/\/$/, "")}/api/zoeken?q=${encodeURIComponent(q)}&limit=8`, { headers: { Accept: "application/json" } });
      if (!r.ok || mine !== seq) return;
      items = ((await r.json()).results || []).filter(it => input.dataset.zoek !== "vul" || it.kind === "adres");
      active = -1;
      render();
      input.dataset.zoekReady = String(items.length);
    } catch { /* offline: the form still submits */ }
  };

  document.addEventListener("input", e => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || !el.hasAttribute("data-zoek")) return;
    if (input !== el) {
      input = el;
      el.setAttribute("role", "combobox");
      el.setAttribute("aria-autocomplete", "list");
      el.setAttribute("aria-controls", listbox().id);
    }
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });

  document.addEventListener("keydown", e => {
    if (e.target !== input || !box || box.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      render();
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", e => { if (e.target === input) setTimeout(close, 150); });
  addEventListener("resize", () => { if (box && !box.hidden) place(); });
})();
