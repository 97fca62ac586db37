// The resident's sign-in (cookie kaart.inwoner, SameSite=Lax) is only seen by the server on this browser's own requests,
// so the campaign page asks through fetch: same origin, JSON only (a form on another site cannot send that).
const send = async (url, init) => {
  const r = await fetch(url, { credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  return { status: r.status, body: await r.text() };
};

export const get = url => send(url);

export const post = (url, body) => send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
