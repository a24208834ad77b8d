// Login: paste a bearer token (a ServiceAccount token from `kubectl create token`, or a static
// token). It is checked with a SelfSubjectReview, which also tells us who the user is.
import { useState } from 'preact/hooks';
import { Api } from '../api.ts';
import { Logo } from '../app.tsx';
import { describeError } from '../notices.tsx';

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

export function Login({ onLogin }: { onLogin(token: string, user: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    setBusy(true);
    setError('');
    try {
      const review = await new Api(t).request<{ status?: { userInfo?: { username?: string } } }>(
        REVIEW_PATH,
        {
          method: 'POST',
          contentType: 'application/json',
          body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
        },
      );
      onLogin(t, review.status?.userInfo?.username ?? '');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form class="card" onSubmit={submit}>
        <h1>
          <Logo /> skiff
        </h1>
        <p class="muted">Paste a bearer token to sign in. Every request is made as that user.</p>
        <label for="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          spellcheck={false}
          autocomplete="off"
          placeholder="kubectl create token <service-account>"
          value={token}
          onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
