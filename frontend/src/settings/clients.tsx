// Settings → Client links: every review link of the workspace (who it is for, its posts, whether
// it is active, expired or revoked, when it was last used), a form to make one for chosen posts
// (its address is shown once, to copy), and revoking. Loaded when the tab opens.
import { useEffect, useState } from 'preact/hooks';
import { api, ws } from '../api';
import { fmtDateTime, fmtRelative, t } from '../i18n';
import { useStore } from '../lib/store';
import { memberName, members, workspace } from '../state';
import type { ClientLink, Page, Post } from '../types';
import { Spinner, StatusBadge } from '../ui/kit';
import { toast, toastError } from '../ui/toast';
import { ClientLinkForm, CreatedLink } from '../voice/clientlink';

export default function ClientLinkSettings() {
  const w = useStore(workspace)!;
  useStore(members);
  const [links, setLinks] = useState<ClientLink[] | null>(null);
  const [posts, setPosts] = useState<Post[]>([]);
  const [chosen, setChosen] = useState<number[]>([]);
  const [created, setCreated] = useState<ClientLink | null>(null);
  const load = () => api.get<Page<ClientLink>>(ws(w.id, '/client-links')).then((p) => setLinks(p.items), toastError);
  useEffect(() => {
    void load();
    api.get<Page<Post>>(ws(w.id, '/posts?status=in_review,approved,scheduled&limit=100')).then((p) => setPosts(p.items), toastError);
  }, [w.id]);

  async function revoke(l: ClientLink) {
    if (!window.confirm(t('clients.revokeConfirm', { name: l.name }))) return;
    try {
      await api.post(ws(w.id, `/client-links/${l.id}/revoke`));
      toast('ok', t('clients.revoked', { name: l.name }));
      void load();
    } catch (e) {
      toastError(e);
    }
  }

  const title = (id: number) => {
    const p = posts.find((x) => x.id === id);
    return p ? p.title || p.text.slice(0, 40) : '#' + id;
  };
  return (
    <>
      <section class="card">
        <h2>{t('clients.newTitle')}</h2>
        <p class="muted small">{t('clients.sendHelp')}</p>
        {created && <CreatedLink link={created} />}
        <fieldset class="post-pick">
          <legend>{t('clients.choosePosts')}</legend>
          {!posts.length && <p class="muted small">{t('clients.noPosts')}</p>}
          {posts.map((p) => (
            <label key={p.id} class="check">
              <input type="checkbox" checked={chosen.includes(p.id)} onChange={(e) => setChosen((c) => ((e.currentTarget as HTMLInputElement).checked ? [...c, p.id] : c.filter((x) => x !== p.id)))} data-testid="client-post" />
              <span>{p.title || p.text.slice(0, 60)}</span> <StatusBadge status={p.status} />
              {p.scheduled_at && <span class="muted small">{fmtDateTime(p.scheduled_at)}</span>}
            </label>
          ))}
        </fieldset>
        <ClientLinkForm
          key={created?.id ?? 0}
          wid={w.id}
          postIds={chosen}
          onCreated={(l) => {
            setCreated(l);
            setChosen([]);
            void load();
          }}
        />
      </section>
      <section class="card">
        <h2>{t('clients.listTitle')}</h2>
        {!links ? (
          <Spinner />
        ) : !links.length ? (
          <p class="muted">{t('clients.none')}</p>
        ) : (
          <table class="table" data-testid="client-links">
            <thead>
              <tr>
                <th scope="col">{t('clients.for')}</th>
                <th scope="col">{t('clients.posts')}</th>
                <th scope="col">{t('clients.state')}</th>
                <th scope="col">{t('clients.lastUsed')}</th>
                <th scope="col">
                  <span class="sr-only">{t('settings.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {links.map((l) => (
                <tr key={l.id} data-testid="client-link-row" data-status={l.status}>
                  <td>
                    <strong>{l.name}</strong>
                    <div class="muted small">{t('clients.madeBy', { name: memberName(l.created_by), when: fmtDateTime(l.created_at) })}</div>
                  </td>
                  <td>
                    {l.post_ids.map((id) => (
                      <a key={id} class="post-ref" href={'#/posts/' + id}>
                        {title(id)}
                      </a>
                    ))}
                  </td>
                  <td>
                    <span class={'link-status link-' + l.status}>{t('clients.status.' + l.status)}</span>
                    <div class="muted small">{l.status === 'revoked' && l.revoked_at ? fmtDateTime(l.revoked_at) : t('clients.until', { when: fmtDateTime(l.expires_at) })}</div>
                  </td>
                  <td class="muted small">{l.last_used_at ? fmtRelative(l.last_used_at) : t('clients.never')}</td>
                  <td>
                    {l.status === 'active' && (
                      <button class="btn btn-small btn-ghost btn-danger" onClick={() => void revoke(l)} data-testid="client-link-revoke">
                        {t('clients.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="muted small">{t('clients.onceHint')}</p>
      </section>
    </>
  );
}
