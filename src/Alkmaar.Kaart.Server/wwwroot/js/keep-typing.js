// Keeps what a person typed while a prerendered page becomes interactive (issue 27, item 1).
//
// A Blazor Server page is first sent as plain HTML (prerendered); when its live connection is up, the interactive render
// replaces the prerendered elements with new, empty ones. On a phone that takes seconds, and a postcode typed in between
// used to vanish. This script (loaded in <head>, before anything else, so it sees the first keystroke) remembers every
// value a person typed, and when an element with the same page, form and name is put into the page again with an empty
// value, it puts the typed value back and tells the page (input and change events, so Blazor's bindings get it too). The
// element that had the focus gets it back, with the caret where it was.
//
// What is forgotten: a form's values when that form is submitted (what the page does after a submit is its own), and
// everything when the page's address changes. Only values the person typed count (trusted events), never ones a script set.
//
// A page whose server went away (a restart, one of several servers stopped behind the proxy) reconnects to another server,
// which does not know its circuit: the page is reloaded (ReconnectModal.razor.js). What was typed is kept for that too: it
// is also written to this tab's sessionStorage, and put back after a reload that the reconnect asked for (within a minute;
// an ordinary reload starts empty, as before).
(() => {
  "use strict";
  const typed = new Map(); // key → { value, checked }
  let focused = null; // { key, start, end }
  let page = location.pathname;
  const STORE = "kaart-typed", RELOAD = "kaart-reconnect-reload";
  const save = () => {
    try { sessionStorage.setItem(STORE, JSON.stringify({ page, entries: [...typed] })); } catch { /* storage off or full */ }
  };
  try {
    const asked = Number(sessionStorage.getItem(RELOAD) || 0);
    sessionStorage.removeItem(RELOAD);
    const kept = JSON.parse(sessionStorage.getItem(STORE) || "null");
    if (asked && Date.now() - asked < 60_000 && kept && kept.page === page) for (const [k, v] of kept.entries) typed.set(k, v);
  } catch { /* storage off: nothing to bring back */ }

  const isField = (el) =>
    el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ||
    (el instanceof HTMLInputElement && !["hidden", "submit", "button", "reset", "image", "file", "password"].includes(el.type));

  const formKey = (el) => {
    const f = el.form || el.closest("form");
    if (!f) return "";
    return f.getAttribute("data-testid") || f.id || f.getAttribute("name") || f.getAttribute("action") || "form";
  };

  const keyOf = (el) => {
    const name = el.id || el.getAttribute("name");
    if (!name) return null;
    const radio = el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox") ? "=" + el.value : "";
    return page + "|" + formKey(el) + "|" + name + radio;
  };

  const checkable = (el) => el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox");

  const remember = (e) => {
    if (!e.isTrusted || !isField(e.target)) return;
    if (location.pathname !== page) { typed.clear(); page = location.pathname; }
    const key = keyOf(e.target);
    if (!key) return;
    if (checkable(e.target)) {
      if (e.target.type === "radio") for (const k of [...typed.keys()]) if (k.startsWith(key.slice(0, key.lastIndexOf("=") + 1))) typed.delete(k);
      typed.set(key, { checked: e.target.checked });
    } else {
      typed.set(key, { value: e.target.value });
    }
    save();
  };
  document.addEventListener("input", remember, true);
  document.addEventListener("change", remember, true);

  const rememberFocus = () => {
    const el = document.activeElement;
    if (el && isField(el) && keyOf(el)) {
      let start = null, end = null;
      try { start = el.selectionStart; end = el.selectionEnd; } catch { /* not a text field */ }
      focused = { key: keyOf(el), start, end };
    }
  };
  document.addEventListener("focusin", (e) => { if (e.isTrusted) rememberFocus(); }, true);
  document.addEventListener("keyup", (e) => { if (e.isTrusted) rememberFocus(); }, true);
  document.addEventListener("focusout", (e) => {
    // a person leaving a field (not the field leaving the page)
    if (e.isTrusted && e.target.isConnected && e.relatedTarget) focused = null;
  }, true);

  // A page that just became interactive may move the focus on its own (Blazor's FocusOnNavigate focuses the h1): while a
  // person is typing in a field that was just put back, that would swallow their next keystrokes. Within a few seconds of
  // a restore, focus that moves without any gesture of the person (pointer, Tab) goes back to the field.
  let restored = null; // { el, at }
  // the person's last gesture: when and on what (a Tab or Escape moves the focus anywhere: "any")
  let gestureAt = 0, gestureTarget = null;
  const gesture = (e) => { if (e.isTrusted) { gestureAt = performance.now(); gestureTarget = e.target; } };
  for (const type of ["pointerdown", "mousedown", "touchstart"]) document.addEventListener(type, gesture, true);
  document.addEventListener("keydown", (e) => { if (e.isTrusted && (e.key === "Tab" || e.key === "Escape")) { gestureAt = performance.now(); gestureTarget = "any"; } }, true);
  // Whether the person just moved the focus to target themselves: a gesture within half a second, on target (or inside it).
  // A tap on the field they were typing in does not count for a focus the page then moves elsewhere (the tap that began
  // the typing was often less than half a second before the page took the focus: found by TrustInUseTests, "Gevelt").
  const byPerson = (target) => performance.now() - gestureAt < 500 &&
    (gestureTarget === "any" || (target instanceof Node && gestureTarget instanceof Node && (target === gestureTarget || target.contains(gestureTarget))));
  // focus moved within a few seconds of a restore, not by the person: the page did it
  const stolen = (target) => restored !== null && performance.now() - restored.at <= 3000 && restored.el.isConnected && !byPerson(target);
  document.addEventListener("focusin", (e) => {
    if (!restored || e.target === restored.el || isField(e.target)) return;
    if (!stolen(e.target)) return;
    const el = restored.el;
    const end = el.value.length;
    el.focus({ preventScroll: true });
    try { el.setSelectionRange(end, end); } catch { /* not a text field */ }
  }, true);

  document.addEventListener("submit", (e) => {
    const f = e.target;
    if (!(f instanceof HTMLFormElement)) return;
    restored = null; focused = null;
    for (const el of f.elements) { const k = isField(el) && keyOf(el); if (k) typed.delete(k); }
    save();
  }, true);

  // Tells the page the field's value (its bindings listen to input and change).
  const tell = (el) => {
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const restore = (el) => {
    const key = keyOf(el);
    if (!key) return;
    const saved = typed.get(key);
    let changed = false;
    if (saved && checkable(el)) {
      if (el.checked !== saved.checked) { el.checked = saved.checked; changed = true; }
    } else if (saved && el.value === "" && saved.value !== "") {
      el.value = saved.value; changed = true;
    }
    if (changed) el.setAttribute("data-kept", "true");
    // the field the person is in (they tapped it, maybe typed in it) while it was replaced: the focus went nowhere, or the
    // page already moved it somewhere that is no field (Blazor's FocusOnNavigate focuses the h1 as it becomes interactive;
    // on a busy phone that can come before this observer runs, and the rest of "Meer bankjes" went to the h1: found by
    // TrustInUseTests on a busy machine) — not if the person moved it themselves (a tap or Tab just now)
    const active = document.activeElement;
    const typingHere = focused && focused.key === key &&
      (active === null || active === document.body || (!isField(active) && !byPerson(active)));
    if (!typingHere) {
      if (changed) tell(el);
      return;
    }
    // The person is in this very field. Telling the page the kept value now would have it render that value back a
    // moment later, over what they typed meanwhile ("G" of "Geveltuinen"). So the field gets the focus back (their next
    // keystrokes land in it, not nowhere), and the page is told the whole value once they are done with the field: when it
    // loses the focus or Enter is pressed.
    el.focus({ preventScroll: true });
    if (focused.start !== null) { try { el.setSelectionRange(focused.start, focused.end); } catch { /* not a text field */ } }
    restored = { el, at: performance.now() };
    if (!changed) return; // nothing kept to tell: the page's own binding hears what they type from now on
    const done = () => { el.removeEventListener("blur", blur); el.removeEventListener("keydown", enter, true); tell(el); };
    const enter = (e) => { if (e.key === "Enter") done(); };
    // a blur the page caused on its own right after becoming interactive is undone by the focus guard below: not "done"
    const blur = (e) => {
      if (!stolen(e.relatedTarget)) { done(); return; }
      // taken to nowhere by the page (no focusin to undo it): give it back
      if (!e.relatedTarget) setTimeout(() => { if (document.activeElement === null || document.activeElement === document.body) el.focus({ preventScroll: true }); }, 0);
    };
    el.addEventListener("blur", blur);
    el.addEventListener("keydown", enter, true);
  };

  new MutationObserver((records) => {
    if (typed.size === 0 && !focused) return; // nothing typed and no field in use: nothing to keep
    if (location.pathname !== page) { typed.clear(); focused = null; page = location.pathname; return; }
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (!(node instanceof Element)) continue;
        if (isField(node)) restore(node);
        for (const el of node.querySelectorAll("input, textarea, select")) if (isField(el)) restore(el);
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();

// Print buttons on server-rendered pages (no inline handlers under the CSP): <button data-print> prints the page.
document.addEventListener("click", (e) => {
  if (e.target instanceof Element && e.target.closest("[data-print]")) window.print();
});
