package server

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/content"
	"github.com/heraldhq/herald/server/store"
	"github.com/heraldhq/herald/server/workflow"
)

func toContentMedia(in []mediaRequest) []content.Media {
	out := make([]content.Media, 0, len(in))
	for _, m := range in {
		out = append(out, content.Media{Kind: content.MediaKind(m.Kind), MIME: m.MIME, SizeBytes: m.SizeBytes, AltText: m.AltText})
	}
	return out
}

func storeContentMedia(in []store.Media) []content.Media {
	out := make([]content.Media, 0, len(in))
	for _, m := range in {
		out = append(out, content.Media{Kind: content.MediaKind(m.Kind), MIME: m.MIME, SizeBytes: m.SizeBytes, AltText: m.AltText})
	}
	return out
}

// rulesGate lists the actions that commit content to going out: they are refused while any
// target breaks its network's rules.
var rulesGate = map[workflow.Action]bool{workflow.Submit: true, workflow.Approve: true, workflow.Schedule: true,
	workflow.PublishNow: true, workflow.Retry: true}

// enforceRules checks every target of a post against its channel's network rules and returns
// field errors naming the target and the rule ("targets[1].text": "Too long for X: 291 of 280").
func (s *Server) enforceRules(ctx context.Context, p *store.Post) error {
	chans, err := s.store.Channels(ctx, p.WorkspaceID)
	if err != nil {
		return err
	}
	network := map[int64]string{}
	for _, ch := range chans {
		network[ch.ID] = ch.Network
	}
	f := fields{}
	for i, t := range p.Targets {
		if t.Status != store.TargetPending && t.Status != store.TargetFailed && t.Status != store.TargetMissed && t.Status != store.TargetUnconfirmed {
			continue
		}
		rules, ok := content.ForNetwork(network[t.ChannelID])
		if !ok {
			continue
		}
		text := p.Body
		if t.TextOverride != nil && *t.TextOverride != "" {
			text = *t.TextOverride
		}
		cc := content.Content{Text: text}
		if t.FirstComment != nil {
			cc.FirstComment = *t.FirstComment
		}
		cc.Media = storeContentMedia(t.Media)
		for _, part := range p.Thread {
			cc.Thread = append(cc.Thread, content.Part{Text: part.Text, Media: storeContentMedia(part.Media)})
		}
		res := content.Check(rules, cc)
		for _, pr := range res.Problems {
			if pr.Severity != content.SeverityError {
				continue
			}
			field := fmt.Sprintf("targets[%d].%s", i, pr.Field)
			if pr.Field == "" {
				field = fmt.Sprintf("targets[%d]", i)
			}
			f.add(field, pr.Message)
		}
		s.checkMediaReachable(f, fmt.Sprintf("targets[%d]", i), network[t.ChannelID], t.Media, p.Thread)
	}
	return f.err()
}

// checkMediaReachable refuses, now rather than at publication, attachments that a network which
// downloads media itself (Instagram, Threads) could not reach: Herald's own uploads are served
// from HERALD_PUBLIC_URL, which must then be an address the internet reaches.
func (s *Server) checkMediaReachable(f fields, prefix, network string, media []store.Media, thread []store.ThreadPart) {
	pub, ok := s.publisher(network)
	if !ok || !pub.Meta().Capabilities.MediaByURL {
		return
	}
	name := pub.Meta().DisplayName
	for j, m := range media {
		if problem := publishers.PublicURLProblem(name, m.URL); problem != "" {
			f.add(fmt.Sprintf("%s.media[%d]", prefix, j), problem)
		}
	}
	for k, part := range thread {
		for j, m := range part.Media {
			if problem := publishers.PublicURLProblem(name, m.URL); problem != "" {
				f.add(fmt.Sprintf("%s.thread[%d].media[%d]", prefix, k, j), problem)
			}
		}
	}
}
