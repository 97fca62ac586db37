// The resident's initiative form (/initiatief-aanvragen): works without this script (the place as an address); with it,
// the place can be tapped on the map or taken from the device (place-picker.js), and the hint under the amount names the
// wijkbudget of that place (GET /api/wijkbudget/plek). When ready it sets data-interactive="true" on
// [data-testid=initiatief-aanvragen].

import { initPlacePicker } from './place-picker.js';

const form = document.querySelector('[data-initiatief-form]');
const page = document.querySelector('[data-testid=initiatief-aanvragen]');
if (form) {
  const hint = form.querySelector('[data-budget-hint]');
  initPlacePicker(form, {
    lat: form.querySelector('input[name="Input.Lat"]'),
    lon: form.querySelector('input[name="Input.Lon"]'),
    label: 'Plek van uw initiatief',
    sentence: (la, lo) => `Plek gekozen (${la.toFixed(4)}, ${lo.toFixed(4)}); tik of klik opnieuw om hem te verplaatsen.`,
    instead: 'Kies de plek op de kaart of vul een adres in.',
    onChoose: async (la, lo) => {
      try {
        const r = await fetch(`/api/wijkbudget/plek?lat=${la.toFixed(6)}&lon=${lo.toFixed(6)}`, { headers: { Accept: 'application/json' } });
        if (r.ok) hint.textContent = (await r.json()).tekst;
      } catch { /* the hint is help, not the form */ }
    },
  });
}
if (page) page.dataset.interactive = 'true';

// a fresh answer: the focus goes to it
const done = document.querySelector('[data-testid=aanvraag-done]');
if (done) done.focus();
