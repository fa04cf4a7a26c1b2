// Sign-in: a private key pasted (or generated here and shown once) and a colony. The key is
// checked locally and kept in sessionStorage by the caller; it never leaves the page.
import { useState } from 'preact/hooks';
import { Api } from './api.js';
import { generatePrivateKey, idFromPrivateKey, parsePrivateKey } from './crypto.js';

export function SignIn({ onSignedIn }) {
  const [prvkey, setPrvkey] = useState('');
  const [colony, setColony] = useState(localStorage.getItem('colonies.lastColony') || 'dev');
  const [generated, setGenerated] = useState(null);
  const [colonies, setColonies] = useState(null);
  const [error, setError] = useState(null);
  let id = null;
  try {
    if (prvkey.trim()) {
      parsePrivateKey(prvkey);
      id = idFromPrivateKey(prvkey.trim());
    }
  } catch {
    id = null;
  }

  const generate = () => {
    const k = generatePrivateKey();
    setGenerated({ prvkey: k, id: idFromPrivateKey(k) });
    setPrvkey(k);
  };
  // A server owner may list the colonies; for anyone else the list is refused and the name is typed.
  const listColonies = async () => {
    setError(null);
    try {
      const list = await new Api(prvkey.trim()).call('getcoloniesmsg', {});
      setColonies(list || []);
      if (list && list.length && !list.some((c) => c.name === colony)) setColony(list[0].name);
    } catch (e) {
      setColonies([]);
      setError(new Error(`Only the server owner may list colonies (${e.message}); type the colony name.`));
    }
  };
  const submit = (ev) => {
    ev.preventDefault();
    setError(null);
    try {
      parsePrivateKey(prvkey);
    } catch (e) {
      setError(e);
      return;
    }
    if (!colony.trim()) {
      setError(new Error('Choose a colony'));
      return;
    }
    onSignedIn({ prvkey: prvkey.trim().toLowerCase(), colony: colony.trim() });
  };
  return (
    <main class="signin">
      <h1>Colonies dashboard</h1>
      <form onSubmit={submit}>
        <label for="prvkey">Private key</label>
        <input id="prvkey" type="password" autocomplete="off" spellcheck={false} value={prvkey}
          onInput={(e) => setPrvkey(e.currentTarget.value)} placeholder="64 hexadecimal characters" />
        <p class="hint">
          The key stays in this browser tab (session storage): requests are signed here and the
          key is never sent. {id && <span>Its id: <code data-testid="key-id">{id}</code></span>}
        </p>
        <button type="button" onClick={generate}>Generate a new key</button>
        {generated && (
          <div class="notice" role="status">
            <p>New key, shown only now: save it somewhere safe.</p>
            <p>Private key: <code>{generated.prvkey}</code></p>
            <p>Id (give this to the colony owner): <code>{generated.id}</code></p>
          </div>
        )}
        <label for="colony">Colony</label>
        {colonies && colonies.length > 0 ? (
          <select id="colony" value={colony} onChange={(e) => setColony(e.currentTarget.value)}>
            {colonies.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
          </select>
        ) : (
          <input id="colony" value={colony} onInput={(e) => setColony(e.currentTarget.value)} />
        )}
        <button type="button" class="link" onClick={listColonies} disabled={!id}>
          List colonies (server owner key)
        </button>
        {error && <p class="error" role="alert">{error.message}</p>}
        <button type="submit" class="primary">Sign in</button>
      </form>
    </main>
  );
}
