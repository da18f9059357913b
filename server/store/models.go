package store

import (
	"time"
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
	Thread    []ThreadPart `gorm:"serializer:json"`
	CreatedAt time.Time
	UpdatedAt time.Time

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

// Approval is a reviewer's decision bound to the content revision they saw.
type Approval struct {
	ID          int64
	WorkspaceID int64
	PostID      int64
	ReviewerID  int64
	Decision    string
	Note        *string
	Revision    int
	CreatedAt   time.Time
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
