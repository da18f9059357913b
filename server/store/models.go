package store

import (
	"time"

	"github.com/heraldhq/herald/server/workflow"
)

// User is a person who can sign in. PasswordHash is an argon2id PHC string; empty means the user
// cannot sign in with a password (e.g. invited but not yet accepted).
type User struct {
	ID           int64
	Email        string
	Name         string
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Workspace is a team's space: its posts, channels and members. The approval policy lives here.
type Workspace struct {
	ID                    int64
	Name                  string
	TimeZone              string
	RequiredApprovals     int
	AuthorsMaySelfApprove bool
	EditorsSkipReview     bool
	GracePeriodSeconds    int
	// WebhookURL receives HMAC-signed notifications; WebhookSecret is sealed like credentials.
	WebhookURL    string
	WebhookSecret *string
	NotifyEmail   string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Membership gives a user a role in a workspace.
type Membership struct {
	ID          int64
	WorkspaceID int64
	UserID      int64
	Role        string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Invitation lets someone join a workspace with a role; only the token's hash is stored.
type Invitation struct {
	ID          int64
	WorkspaceID int64
	Email       string
	Role        string
	TokenHash   string
	InvitedBy   int64
	ExpiresAt   time.Time
	AcceptedAt  *time.Time
	CreatedAt   time.Time
}

// Channel statuses.
const (
	ChannelConnected      = "connected"
	ChannelNeedsReconnect = "needs_reconnect"
	ChannelDisconnected   = "disconnected"
)

// Channel is one account on one network that posts go to. Credentials holds the sealed
// (AES-256-GCM) secret blob; CredentialsKeyID names the key that sealed it, so keys can rotate.
type Channel struct {
	ID               int64
	WorkspaceID      int64
	Network          string
	Name             string
	Handle           string
	AvatarURL        string
	ExternalID       string
	TimeZone         string
	Paused           bool
	Status           string
	Credentials      *string
	CredentialsKeyID string
	TokenExpiresAt   *time.Time
	// RateLimitedUntil holds the channel's posts until the network's rate-limit window resets.
	RateLimitedUntil *time.Time
	// RefreshLeaseUntil makes one worker at a time refresh the token (refresh tokens may rotate).
	RefreshLeaseUntil *time.Time
	// StatusReason says in plain words why the channel needs attention.
	StatusReason string
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Slots []PostingSlot `gorm:"foreignKey:ChannelID"`
}

// PostingSlot is a recurring time at which a channel's queue posts: a weekday (0 = Sunday) and a
// minute of the day, in the channel's time zone.
type PostingSlot struct {
	ID          int64
	WorkspaceID int64
	ChannelID   int64
	Weekday     int
	MinuteOfDay int
}

// Post is one piece of content planned for one or more channels.
type Post struct {
	ID          int64
	WorkspaceID int64
	AuthorID    int64
	Title       string
	Body        string
	Campaign    string
	Status      string
	Revision    int
	ScheduledAt *time.Time
	TimeZone    string
	// Thread holds the later parts of a thread, published as replies to the first on every
	// target (each network's rules permitting).
	Thread []ThreadPart `gorm:"serializer:json"`
	// VoiceScore is the brand voice score (0–100) of the current revision; nil until computed,
	// and again after an edit or a change of the workspace's voice profile.
	VoiceScore *int
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Labels  []PostLabel `gorm:"foreignKey:PostID"`
	Targets []Target    `gorm:"foreignKey:PostID"`
}

// PostLabel tags a post; a table of its own so the calendar can filter by label on an index.
type PostLabel struct {
	PostID      int64 `gorm:"primaryKey"`
	WorkspaceID int64
	Label       string `gorm:"primaryKey"`
}

// ThreadPart is one later part of a thread, stored as JSON.
type ThreadPart struct {
	Text  string  `json:"text"`
	Media []Media `json:"media,omitempty"`
}

// Media is one attachment of a target, stored as JSON.
type Media struct {
	URL       string `json:"url"`
	Kind      string `json:"kind"`
	MIME      string `json:"mime,omitempty"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
	AltText   string `json:"alt_text,omitempty"`
}

// Target statuses. A target is claimable when pending with a due_at in the past.
const (
	TargetPending     = "pending"
	TargetPublishing  = "publishing"
	TargetPublished   = "published"
	TargetFailed      = "failed"
	TargetCanceled    = "canceled"
	TargetUnconfirmed = "unconfirmed" // the outcome is unknown: a person decides
	TargetMissed      = "missed"      // later than the grace period: a person reschedules
	TargetHeld        = "held"        // its channel is paused or needs reconnecting
)

// Target is a post on one channel: its per-channel text, media and outcome.
type Target struct {
	ID             int64
	WorkspaceID    int64
	PostID         int64
	ChannelID      int64
	TextOverride   *string
	Media          []Media `gorm:"serializer:json"`
	FirstComment   *string
	Status         string
	IdempotencyKey string
	ExternalID     string
	ExternalURL    string
	Attempts       int
	LastError      *string
	PublishedAt    *time.Time
	// DueAt is when the scheduler should next attempt the target (nil: not planned).
	DueAt          *time.Time
	LeaseOwner     string
	LeaseExpiresAt *time.Time
	ErrorKind      string
	NextMetricsAt  *time.Time
	MetricsStep    int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Comment is an internal note on a post; Mentions holds the ids of mentioned members.
type Comment struct {
	ID          int64
	WorkspaceID int64
	PostID      int64
	AuthorID    int64
	Body        string
	Mentions    []int64 `gorm:"serializer:json"`
	CreatedAt   time.Time
}

// Approval decisions.
const (
	DecisionApproved         = "approved"
	DecisionChangesRequested = "changes_requested"
)

// Approval is a reviewer's decision bound to the content revision they saw. A decision made
// through a client review link has ReviewerID 0 and the link in ClientLinkID.
type Approval struct {
	ID           int64
	WorkspaceID  int64
	PostID       int64
	ReviewerID   int64
	ClientLinkID *int64
	Decision     string
	Note         *string
	Revision     int
	CreatedAt    time.Time
}

// AuditEvent records a state change: who, what, on which entity, when.
type AuditEvent struct {
	ID          int64
	WorkspaceID int64
	ActorID     *int64
	ActorLabel  string
	Action      string
	EntityType  string
	EntityID    int64
	Summary     string
	At          time.Time
}

// Session is a browser sign-in; only the token's hash is stored.
type Session struct {
	ID         int64
	UserID     int64
	TokenHash  string
	CSRFToken  string `gorm:"column:csrf_token"`
	UserAgent  string
	IP         string `gorm:"column:ip"`
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// APIToken is a personal access token for scripts; only the hash is stored, plus a short prefix
// so a person can recognise it in the list.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	Prefix     string
	LastUsedAt *time.Time
	ExpiresAt  *time.Time
	CreatedAt  time.Time
}

// TableName keeps GORM from naming the table "api_tokens" differently across versions.
func (APIToken) TableName() string { return "api_tokens" }

// Worker is a running herald process's heartbeat row.
type Worker struct {
	ID          string `gorm:"primaryKey"`
	Kind        string
	Hostname    string
	PID         int `gorm:"column:pid"`
	Version     string
	StartedAt   time.Time
	HeartbeatAt time.Time
	StoppedAt   *time.Time
}

// EngagementSnapshot is one reading of a published target's counters; nil means not reported.
type EngagementSnapshot struct {
	ID          int64
	WorkspaceID int64
	TargetID    int64
	TakenAt     time.Time
	Likes       *int64
	Reposts     *int64
	Replies     *int64
	Quotes      *int64
	Impressions *int64
	Clicks      *int64
}

// Notification kinds.
const (
	NotifyFailed         = "failed"
	NotifyUnconfirmed    = "unconfirmed"
	NotifyMissed         = "missed"
	NotifyNeedsReconnect = "needs_reconnect"
	NotifyTokenExpiring  = "token_expiring"
	NotifyAlarm          = "alarm"
	// NotifyWarning: a post was published, but something after it was refused (a first comment,
	// a later part of a thread).
	NotifyWarning = "warning"
	// NotifyQuotaLow: a channel's posting allowance on its network is nearly used up;
	// NotifyQuotaExhausted: it is used up, and the channel's posts wait for it to reset.
	NotifyQuotaLow       = "quota_low"
	NotifyQuotaExhausted = "quota_exhausted"
	// NotifyApprovalReminder reminds approvers of a post whose approval deadline is near.
	NotifyApprovalReminder = "approval_reminder"
	// NotifyApprovalMissed tells the author and editors that a post was not approved in time and
	// will not be published at its planned time.
	NotifyApprovalMissed = "approval_missed"
	// NotifyClientReview tells the team that a client approved or asked for changes.
	NotifyClientReview = "client_review"
)

// Notification tells people in a workspace that something needs them.
type Notification struct {
	ID               int64
	WorkspaceID      int64
	Kind             string
	PostID           *int64
	TargetID         *int64
	ChannelID        *int64
	Message          string
	CreatedAt        time.Time
	ReadAt           *time.Time
	DeliveredAt      *time.Time
	DeliveryAttempts int
}

// OAuthState is a connect attempt in progress; Sealed holds the PKCE verifier and the
// network's pending values, encrypted.
type OAuthState struct {
	StateHash   string `gorm:"primaryKey"`
	WorkspaceID int64
	UserID      int64
	Network     string
	ChannelID   *int64
	Sealed      string
	ExpiresAt   time.Time
}

// TableName is the migration's name for the table; GORM's own naming would split "OAuth" into
// "o_auth".
func (OAuthState) TableName() string { return "oauth_states" }

// VoiceProfile is a workspace's brand voice, stored as the JSON of a voice.Profile; the server
// decodes and validates it. Version counts the saves.
type VoiceProfile struct {
	WorkspaceID int64 `gorm:"primaryKey;autoIncrement:false"`
	Profile     string
	Version     int
	UpdatedBy   *int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table explicitly, as for every table added after the first release.
func (VoiceProfile) TableName() string { return "voice_profiles" }

// Template is a saved post: text, per-network variants ("x": "…") and labels. Its text may hold
// variables such as {{event_date}}, filled in while composing.
type Template struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Body        string
	Variants    map[string]string `gorm:"serializer:json"`
	Labels      []string          `gorm:"serializer:json"`
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table.
func (Template) TableName() string { return "templates" }

// Snippet is a piece of text inserted by its short code.
type Snippet struct {
	ID          int64
	WorkspaceID int64
	Code        string
	Body        string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table.
func (Snippet) TableName() string { return "snippets" }

// HashtagGroup is a named set of hashtags inserted together.
type HashtagGroup struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Tags        []string `gorm:"serializer:json"`
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table.
func (HashtagGroup) TableName() string { return "hashtag_groups" }

// VoiceAcknowledgement is an author's note on a voice warning of one post revision: the warning
// stays, and editors see why the author kept the text.
type VoiceAcknowledgement struct {
	ID          int64
	WorkspaceID int64
	PostID      int64
	Revision    int
	FindingID   string
	Rule        string
	Excerpt     string
	Note        string
	UserID      int64
	CreatedAt   time.Time
}

// TableName names the table.
func (VoiceAcknowledgement) TableName() string { return "voice_acknowledgements" }

// ApprovalPolicy is a multi-step approval: the workspace's own (Label "") or the steps posts
// with Label add.
type ApprovalPolicy struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Label       string
	Position    int
	Steps       []workflow.Step `gorm:"serializer:json"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the table.
func (ApprovalPolicy) TableName() string { return "approval_policies" }

// ReviewSettings are a workspace's approval deadlines and submit checks; a workspace without a
// row has the zero settings (deadline at the planned time, no reminder, no checks).
type ReviewSettings struct {
	WorkspaceID           int64 `gorm:"primaryKey;autoIncrement:false"`
	ApprovalLeadMinutes   int
	ReminderMinutes       int
	DuplicateWindowDays   int
	DuplicateSimilarity   int // percent
	ConflictWindowMinutes int
	UpdatedAt             time.Time
}

// TableName names the table.
func (ReviewSettings) TableName() string { return "review_settings" }

// ClientLink lets a client without an account review some posts; only the token's hash is
// stored. PostIDs is filled by the queries that load it.
type ClientLink struct {
	ID          int64
	WorkspaceID int64
	Name        string
	TokenHash   string
	Locale      string
	CreatedBy   int64
	ExpiresAt   time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
	CreatedAt   time.Time

	PostIDs []int64 `gorm:"-"`
}

// TableName names the table.
func (ClientLink) TableName() string { return "client_links" }

// ClientLinkPost puts a post on a client link.
type ClientLinkPost struct {
	LinkID      int64 `gorm:"primaryKey;autoIncrement:false"`
	PostID      int64 `gorm:"primaryKey;autoIncrement:false"`
	WorkspaceID int64
}

// TableName names the table.
func (ClientLinkPost) TableName() string { return "client_link_posts" }

// ApprovalDeadline records what the deadline sweep did for a post at one planned time, so each
// reminder and each missed-deadline notice goes out once.
type ApprovalDeadline struct {
	PostID      int64     `gorm:"primaryKey;autoIncrement:false"`
	PlannedAt   time.Time `gorm:"primaryKey"`
	WorkspaceID int64
	RemindedAt  *time.Time
	MissedAt    *time.Time
}

// TableName names the table.
func (ApprovalDeadline) TableName() string { return "approval_deadlines" }
