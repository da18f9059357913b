package scheduler

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/server/store"
)

// collectMetrics reads engagement for targets whose next reading is due, batched per channel.
func (s *Scheduler) collectMetrics(ctx context.Context) {
	ts, err := s.store.ClaimMetrics(ctx, s.now(), 500)
	if err != nil || len(ts) == 0 {
		return
	}
	byChannel := map[int64][]store.Target{}
	for _, t := range ts {
		if t.ExternalID != "" {
			byChannel[t.ChannelID] = append(byChannel[t.ChannelID], t)
		}
	}
	for chID, targets := range byChannel {
		ch, err := s.store.ChannelByID(ctx, chID)
		if err != nil || ch.Status != store.ChannelConnected {
			continue
		}
		pub, ok := s.opt.Registry.Get(ch.Network)
		if !ok {
			continue
		}
		creds, err := s.openCredentials(ch)
		if err != nil {
			continue
		}
		ids := make([]string, len(targets))
		for i, t := range targets {
			ids[i] = t.ExternalID
		}
		before := cloneCredentials(creds)
		mctx, cancel := context.WithTimeout(ctx, s.opt.PublishTimeout)
		got, err := pub.Metrics(mctx, creds, ids)
		cancel()
		s.saveCredentialsIfChanged(ctx, ch, &before, creds)
		if err != nil {
			s.log.Warn("engagement read failed", "channel", chID, "err", publishers.Message(err))
			if publishers.KindOf(err) == publishers.KindAuthExpired {
				_ = s.store.MarkChannel(ctx, chID, store.ChannelNeedsReconnect, publishers.Message(err))
			}
			continue
		}
		now := s.now()
		var snaps []store.EngagementSnapshot
		for _, t := range targets {
			m, ok := got[t.ExternalID]
			if !ok {
				continue
			}
			snaps = append(snaps, store.EngagementSnapshot{WorkspaceID: t.WorkspaceID, TargetID: t.ID, TakenAt: now,
				Likes: m.Likes, Reposts: m.Reposts, Replies: m.Replies, Quotes: m.Quotes, Impressions: m.Impressions, Clicks: m.Clicks})
		}
		if err := s.store.SaveSnapshots(ctx, snaps); err != nil {
			s.log.Warn("saving engagement failed", "err", err)
		}
	}
}

// defaultRefreshAhead is how long before expiry tokens are renewed, unless the network says
// otherwise (publishers.Meta.RefreshAhead).
const defaultRefreshAhead = 15 * time.Minute

// refreshAhead is how long before expiry the network's tokens are renewed.
func refreshAhead(pub publishers.Publisher) time.Duration {
	if d := pub.Meta().RefreshAhead; d > 0 {
		return d
	}
	return defaultRefreshAhead
}

// refreshTokens renews tokens that expire soon (15 minutes ahead, or as early as the network
// asks), one worker per channel at a time.
func (s *Scheduler) refreshTokens(ctx context.Context) {
	now := s.now()
	horizon := defaultRefreshAhead
	for _, p := range s.opt.Registry.All() {
		horizon = max(horizon, refreshAhead(p))
	}
	chans, err := s.store.ChannelsExpiringBefore(ctx, now.Add(horizon), 100)
	if err != nil {
		return
	}
	for i := range chans {
		pub, ok := s.opt.Registry.Get(chans[i].Network)
		if !ok || chans[i].TokenExpiresAt == nil || !chans[i].TokenExpiresAt.Before(now.Add(refreshAhead(pub))) {
			continue
		}
		// Each refresh is a network call, so a pass over many channels takes a while: the lease
		// runs from when it is taken (a lease dated from the start of the pass may already have
		// expired, letting another worker refresh the same channel at once), and the channel is
		// read again under it, because another worker may have refreshed it since the list was
		// read, and refreshing with a rotated refresh token signs the account out.
		now := s.now()
		if got, err := s.store.TakeRefreshLease(ctx, chans[i].ID, now, time.Minute); err != nil || !got {
			continue
		}
		ch, err := s.store.ChannelByID(ctx, chans[i].ID)
		if err != nil || ch.Status != store.ChannelConnected || ch.TokenExpiresAt == nil || !ch.TokenExpiresAt.Before(now.Add(refreshAhead(pub))) {
			continue
		}
		creds, err := s.openCredentials(ch)
		if err != nil {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, s.opt.PublishTimeout)
		fresh, changed, err := pub.Refresh(rctx, creds)
		cancel()
		switch {
		case err != nil && publishers.KindOf(err) == publishers.KindAuthExpired:
			_ = s.store.MarkChannel(ctx, ch.ID, store.ChannelNeedsReconnect, publishers.Message(err))
		case err != nil:
			s.log.Warn("token refresh failed; will retry", "channel", ch.ID, "err", publishers.Message(err))
		case changed:
			s.saveCredentialsIfChanged(ctx, ch, creds, fresh)
		}
	}
	s.warnExpiringTokens(ctx)
}

// warnExpiringTokens tells a workspace, once a day per channel, when a channel's access will end
// before one of its scheduled posts and Herald cannot renew it by itself (no refresh token, as
// with most LinkedIn apps), so someone reconnects it in time instead of finding a failure.
func (s *Scheduler) warnExpiringTokens(ctx context.Context) {
	now := s.now()
	risks, err := s.store.ChannelsExpiringBeforeDuePosts(ctx, now.Add(-24*time.Hour), 100)
	if err != nil {
		s.log.Warn("checking token expiry against scheduled posts failed", "err", err)
		return
	}
	for _, r := range risks {
		ch := r.Channel
		creds, err := s.openCredentials(&ch)
		if err != nil || creds.RefreshToken != "" {
			continue // renewable tokens are refreshed ahead of expiry by this job
		}
		if pub, ok := s.opt.Registry.Get(ch.Network); ok && pub.Meta().RenewsWithoutRefreshToken {
			continue // so are tokens the network renews by themselves (Threads)
		}
		chID := ch.ID
		_ = s.store.CreateNotification(ctx, &store.Notification{WorkspaceID: ch.WorkspaceID, Kind: store.NotifyTokenExpiring, ChannelID: &chID,
			Message: fmt.Sprintf("%s (%s) can post until %s, but a post is scheduled for %s. Reconnect the channel before then so it goes out.",
				ch.Name, ch.Network, ch.TokenExpiresAt.UTC().Format(time.RFC3339), r.FirstAt.UTC().Format(time.RFC3339))})
	}
}

// Notifier delivers a notification outside the app.
type Notifier interface {
	Deliver(ctx context.Context, ws *store.Workspace, n *store.Notification) error
}

// deliverNotifications sends pending notifications through the Notifier.
func (s *Scheduler) deliverNotifications(ctx context.Context) {
	ns, err := s.store.PendingDeliveries(ctx, 100)
	if err != nil || len(ns) == 0 {
		return
	}
	for i := range ns {
		n := &ns[i]
		ok := true
		if s.opt.Notifier != nil {
			ws, err := s.store.Workspace(ctx, n.WorkspaceID)
			if err == nil {
				if err := s.opt.Notifier.Deliver(ctx, ws, n); err != nil {
					s.log.Warn("notification delivery failed", "notification", n.ID, "err", err)
					ok = false
				}
			}
		}
		_ = s.store.MarkDelivered(ctx, n.ID, ok)
	}
}

// WebhookNotifier posts notifications as JSON to the workspace's webhook URL, signed with
// HMAC-SHA256 over "timestamp.body" in X-Herald-Signature (sha256=<hex>), with the timestamp in
// X-Herald-Timestamp, so receivers can check origin and reject replays.
type WebhookNotifier struct {
	Client *http.Client
	// Secret opens the workspace's sealed webhook secret.
	Secret func(ws *store.Workspace) (string, error)
	Now    func() time.Time
}

// Deliver implements Notifier.
func (w *WebhookNotifier) Deliver(ctx context.Context, ws *store.Workspace, n *store.Notification) error {
	if ws.WebhookURL == "" {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"id": n.ID, "workspace_id": n.WorkspaceID, "kind": n.Kind, "message": n.Message,
		"post_id": n.PostID, "target_id": n.TargetID, "channel_id": n.ChannelID, "created_at": n.CreatedAt.UTC()})
	secret, err := w.Secret(ws)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(w.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ws.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Herald-Timestamp", ts)
	req.Header.Set("X-Herald-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook answered HTTP %d", resp.StatusCode)
	}
	return nil
}
