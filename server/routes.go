package server

import (
	"github.com/gin-gonic/gin"

	"github.com/heraldhq/herald/server/workflow"
)

// access says who may call a route.
type access int

const (
	public    access = iota // anyone (sign-in, accepting an invitation)
	signedIn                // any authenticated user
	workspace               // a member of :wid with at least the route's role
)

// route is one API endpoint. The list below is the single place routes are declared; the role
// matrix test and the OpenAPI completeness test both walk it.
type route struct {
	Method, Path string
	Access       access
	MinRole      workflow.Role // for workspace routes
	Handler      gin.HandlerFunc
}

func (s *Server) apiRoutes() []route {
	const v = "/api/v1"
	const ws = v + "/workspaces/:wid"
	r := func(method, path string, a access, min workflow.Role, h gin.HandlerFunc) route {
		return route{Method: method, Path: path, Access: a, MinRole: min, Handler: h}
	}
	const (
		viewer = workflow.Viewer
		author = workflow.Author
		editor = workflow.Editor
		admin  = workflow.Admin
		owner  = workflow.Owner
	)
	return []route{
		r("POST", v+"/auth/signin", public, "", s.signIn),
		r("POST", v+"/auth/signout", signedIn, "", s.signOut),
		r("GET", v+"/me", signedIn, "", s.me),
		r("PATCH", v+"/me", signedIn, "", s.updateMe),
		r("POST", v+"/me/password", signedIn, "", s.changePassword),
		r("GET", v+"/me/tokens", signedIn, "", s.listTokens),
		r("POST", v+"/me/tokens", signedIn, "", s.createToken),
		r("DELETE", v+"/me/tokens/:tid", signedIn, "", s.deleteToken),
		r("POST", v+"/invitations/accept", public, "", s.acceptInvitation),
		r("GET", v+"/networks", signedIn, "", s.listNetworks),
		r("GET", v+"/rules", signedIn, "", s.listRules),
		r("POST", v+"/validate", signedIn, "", s.validate),
		r("GET", v+"/connect/:network/callback", signedIn, "", s.connectCallback),
		r("GET", v+"/config", signedIn, "", s.getConfig),

		r("GET", v+"/workspaces", signedIn, "", s.listWorkspaces),
		r("POST", v+"/workspaces", signedIn, "", s.createWorkspace),
		r("GET", ws, workspace, viewer, s.getWorkspace),
		r("PATCH", ws, workspace, admin, s.updateWorkspace),
		r("GET", ws+"/audit", workspace, admin, s.workspaceAudit),

		r("GET", ws+"/members", workspace, viewer, s.listMembers),
		r("PATCH", ws+"/members/:uid", workspace, admin, s.updateMember),
		r("DELETE", ws+"/members/:uid", workspace, viewer, s.removeMember), // members may leave; others need admin (checked inside)
		r("GET", ws+"/invitations", workspace, admin, s.listInvitations),
		r("POST", ws+"/invitations", workspace, admin, s.createInvitation),
		r("DELETE", ws+"/invitations/:iid", workspace, admin, s.revokeInvitation),

		r("GET", ws+"/channels", workspace, viewer, s.listChannels),
		r("POST", ws+"/channels", workspace, admin, s.createChannel),
		r("GET", ws+"/channels/:cid", workspace, viewer, s.getChannel),
		r("PATCH", ws+"/channels/:cid", workspace, admin, s.updateChannel),
		r("DELETE", ws+"/channels/:cid", workspace, admin, s.deleteChannel),
		r("POST", ws+"/channels/:cid/pause", workspace, admin, s.pauseChannel),
		r("POST", ws+"/channels/:cid/resume", workspace, admin, s.resumeChannel),
		r("PUT", ws+"/channels/:cid/slots", workspace, admin, s.setSlots),
		r("POST", ws+"/connect/:network", workspace, admin, s.connectChannel),
		r("GET", ws+"/connect/:network/choices", workspace, admin, s.listChoices),
		r("POST", ws+"/connect/:network/choose", workspace, admin, s.chooseAccounts),
		r("GET", ws+"/notifications", workspace, viewer, s.listNotifications),
		r("GET", ws+"/notification-settings", workspace, admin, s.getNotificationSettings),
		r("PUT", ws+"/notification-settings", workspace, admin, s.setNotificationSettings),
		r("POST", ws+"/notifications/:nid/read", workspace, viewer, s.readNotification),

		r("GET", ws+"/posts", workspace, viewer, s.listPosts),
		r("POST", ws+"/posts", workspace, author, s.createPost),
		r("GET", ws+"/posts/:pid", workspace, viewer, s.getPost),
		r("PATCH", ws+"/posts/:pid", workspace, author, s.editPost),
		r("POST", ws+"/posts/:pid/submit", workspace, author, s.postAction(workflow.Submit)),
		// Authors may approve and request changes only when an approval policy names them as an
		// approver of the post (legal, say); the workflow checks.
		r("POST", ws+"/posts/:pid/approve", workspace, author, s.postAction(workflow.Approve)),
		r("POST", ws+"/posts/:pid/request-changes", workspace, author, s.postAction(workflow.RequestChanges)),
		r("POST", ws+"/posts/:pid/schedule", workspace, editor, s.postAction(workflow.Schedule)),
		r("POST", ws+"/posts/:pid/reschedule", workspace, author, s.postAction(workflow.Reschedule)),
		r("POST", ws+"/posts/:pid/unschedule", workspace, editor, s.postAction(workflow.Unschedule)),
		r("POST", ws+"/posts/:pid/publish-now", workspace, editor, s.postAction(workflow.PublishNow)),
		r("POST", ws+"/posts/:pid/cancel", workspace, author, s.postAction(workflow.Cancel)),
		r("POST", ws+"/posts/:pid/restore", workspace, author, s.postAction(workflow.Restore)),
		r("POST", ws+"/posts/:pid/retry", workspace, editor, s.postAction(workflow.Retry)),
		r("POST", ws+"/posts/:pid/duplicate", workspace, author, s.duplicatePost),
		r("GET", ws+"/posts/:pid/comments", workspace, viewer, s.listComments),
		r("POST", ws+"/posts/:pid/comments", workspace, viewer, s.createComment),
		r("GET", ws+"/posts/:pid/audit", workspace, viewer, s.postAudit),
		r("GET", ws+"/posts/:pid/revisions", workspace, viewer, s.listRevisions),
		r("GET", ws+"/posts/:pid/engagement", workspace, viewer, s.engagement),
		r("POST", ws+"/posts/:pid/targets/:tid/resolve", workspace, editor, s.resolveTarget),
		r("GET", ws+"/calendar", workspace, viewer, s.calendar),
		r("POST", ws+"/media", workspace, author, s.uploadMedia),

		// Brand voice.
		r("GET", ws+"/voice/profile", workspace, viewer, s.getVoiceProfile),
		r("PUT", ws+"/voice/profile", workspace, editor, s.putVoiceProfile),
		r("POST", ws+"/voice/check", workspace, viewer, s.voiceCheck),
		r("POST", ws+"/voice/rewrite", workspace, author, s.voiceRewrite),
		r("GET", ws+"/posts/:pid/voice", workspace, viewer, s.getPostVoice),
		r("POST", ws+"/posts/:pid/voice/acknowledgements", workspace, author, s.acknowledge), // own posts; editors any (checked inside)

		// The composing library. Authors add; authors change their own, editors anything (checked inside).
		r("GET", ws+"/templates", workspace, viewer, s.listTemplates),
		r("POST", ws+"/templates", workspace, author, s.createTemplate),
		r("GET", ws+"/templates/:tplid", workspace, viewer, s.getTemplate),
		r("PATCH", ws+"/templates/:tplid", workspace, author, s.updateTemplate),
		r("DELETE", ws+"/templates/:tplid", workspace, author, s.deleteTemplate()),
		r("GET", ws+"/snippets", workspace, viewer, s.listSnippets),
		r("POST", ws+"/snippets", workspace, author, s.createSnippet),
		r("GET", ws+"/snippets/:snid", workspace, viewer, s.getSnippet),
		r("PATCH", ws+"/snippets/:snid", workspace, author, s.updateSnippet),
		r("DELETE", ws+"/snippets/:snid", workspace, author, s.deleteSnippet()),
		r("GET", ws+"/hashtag-groups", workspace, viewer, s.listHashtagGroups),
		r("POST", ws+"/hashtag-groups", workspace, author, s.createHashtagGroup),
		r("GET", ws+"/hashtag-groups/:hgid", workspace, viewer, s.getHashtagGroup),
		r("PATCH", ws+"/hashtag-groups/:hgid", workspace, author, s.updateHashtagGroup),
		r("DELETE", ws+"/hashtag-groups/:hgid", workspace, author, s.deleteHashtagGroup()),
		r("POST", ws+"/compose", workspace, author, s.compose),

		// Approval depth.
		r("GET", ws+"/approval-policies", workspace, viewer, s.listApprovalPolicies),
		r("POST", ws+"/approval-policies", workspace, admin, s.createApprovalPolicy),
		r("PUT", ws+"/approval-policies/:apid", workspace, admin, s.updateApprovalPolicy),
		r("DELETE", ws+"/approval-policies/:apid", workspace, admin, s.deleteApprovalPolicy),
		r("GET", ws+"/review-settings", workspace, viewer, s.getReviewSettings),
		r("PUT", ws+"/review-settings", workspace, admin, s.setReviewSettings),
		r("GET", ws+"/client-links", workspace, editor, s.listClientLinks),
		r("POST", ws+"/client-links", workspace, editor, s.createClientLink),
		r("POST", ws+"/client-links/:clid/revoke", workspace, editor, s.revokeClientLink),
	}
}

func (s *Server) mount(e *gin.Engine) {
	for _, rt := range s.routes {
		var chain []gin.HandlerFunc
		switch rt.Access {
		case signedIn:
			chain = append(chain, s.authenticate)
		case workspace:
			chain = append(chain, s.authenticate, s.inWorkspace, s.requireRole(rt.MinRole))
		}
		chain = append(chain, rt.Handler)
		e.Handle(rt.Method, rt.Path, chain...)
	}
}
