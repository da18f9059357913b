// The shapes of Herald's public JSON API (server/views.go, server/openapi.json). The UI uses only
// this API, the same one scripts use.

export type Role = 'owner' | 'admin' | 'editor' | 'author' | 'viewer';

export const ROLES: Role[] = ['owner', 'admin', 'editor', 'author', 'viewer'];

/** rank orders roles so that a higher number can do more (as server/workflow/role.go). */
export function roleRank(r: Role | undefined): number {
  const i = r ? ROLES.indexOf(r) : -1;
  return i < 0 ? 0 : ROLES.length - i;
}

export function atLeast(r: Role | undefined, floor: Role): boolean {
  return roleRank(r) >= roleRank(floor) && roleRank(r) > 0;
}

export type PostStatus =
  | 'draft'
  | 'in_review'
  | 'changes_requested'
  | 'approved'
  | 'scheduled'
  | 'publishing'
  | 'published'
  | 'partially_published'
  | 'failed'
  | 'canceled';

/** What a badge shows: a post's status, or a target outcome that needs a person. */
export type DisplayStatus = PostStatus | 'unconfirmed' | 'missed';

export const POST_STATUSES: PostStatus[] = [
  'draft',
  'in_review',
  'changes_requested',
  'approved',
  'scheduled',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'canceled',
];

export type TargetStatus = 'pending' | 'publishing' | 'published' | 'failed' | 'canceled' | 'unconfirmed' | 'missed' | 'held';

export interface User {
  id: number;
  email: string;
  name: string;
}

export interface ApprovalPolicy {
  required_approvals: number;
  authors_may_self_approve: boolean;
  editors_skip_review: boolean;
}

export interface Workspace {
  id: number;
  name: string;
  time_zone: string;
  role?: Role;
  approval_policy: ApprovalPolicy;
  grace_period_seconds: number;
  created_at: string;
}

export interface Me {
  user: User;
  csrf_token?: string;
  workspaces: Workspace[];
}

export interface Member {
  user_id: number;
  email: string;
  name: string;
  role: Role;
  joined_at: string;
}

export interface Invitation {
  id: number;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
  token?: string;
  accept_url?: string;
}

export interface Slot {
  weekday: number;
  time: string;
}

export interface Channel {
  id: number;
  network: string;
  name: string;
  handle: string;
  avatar_url: string;
  time_zone: string;
  paused: boolean;
  status: 'connected' | 'needs_reconnect' | 'disconnected';
  status_reason?: string;
  has_credentials: boolean;
  token_expires_at: string | null;
  slots: Slot[];
  created_at: string;
  updated_at: string;
}

export interface Media {
  url: string;
  kind: 'image' | 'video' | 'gif';
  mime?: string;
  size_bytes?: number;
  alt_text?: string;
  width?: number;
  height?: number;
  thumbnail_url?: string;
}

export interface Target {
  id: number;
  channel_id: number;
  text: string | null;
  media: Media[];
  first_comment: string | null;
  status: TargetStatus;
  external_id?: string;
  external_url?: string;
  attempts: number;
  last_error: string | null;
  published_at: string | null;
}

export interface ReviewDecision {
  /** 0 for a decision made through a client review link (named in client) */
  reviewer_id: number;
  client_link_id?: number;
  client?: string;
  decision: 'approved' | 'changes_requested';
  note?: string;
  revision: number;
  at: string;
}

/** One step of a post's approval and where it stands (GET …/posts/{id} → review.steps). */
export interface ReviewStep extends ApprovalStep {
  done: boolean;
  current: boolean;
  approved_by: number[];
}

export interface ThreadPart {
  text: string;
  media: Media[];
}

export interface Post {
  id: number;
  author_id: number;
  title: string;
  text: string;
  /** the later parts of a thread (absent on servers without threads) */
  thread?: ThreadPart[];
  labels: string[];
  campaign: string;
  status: PostStatus;
  revision: number;
  scheduled_at: string | null;
  time_zone: string;
  local_time?: string;
  targets: Target[];
  created_at: string;
  updated_at: string;
  /** the brand voice score (0–100) of the current revision; null without a voice profile */
  voice_score?: number | null;
  review?: {
    required_approvals: number;
    approved_by: number[];
    decisions: ReviewDecision[];
    /** the approval steps in order (absent on older servers, empty when no review is needed) */
    steps?: ReviewStep[];
    /** the index of the step the post waits for (steps.length when all are done) */
    current_step?: number;
  };
}

/** A calendar entry: the lean form of a post (GET …/calendar?fields=lean) or a full one. */
export interface CalendarPost {
  id: number;
  author_id: number;
  title: string;
  text: string;
  labels: string[];
  status: PostStatus;
  scheduled_at: string | null;
  time_zone: string;
  targets: { id: number; channel_id: number; status: TargetStatus; external_url?: string }[];
  /** the stored brand voice score, null when there is none */
  voice_score?: number | null;
}

export interface CalendarResponse {
  from: string;
  to: string;
  time_zone: string;
  posts: CalendarPost[];
  truncated: boolean;
}

export interface Page<T> {
  items: T[];
  next_cursor?: string;
}

export interface FormField {
  name: string;
  label: string;
  help?: string;
  placeholder?: string;
  secret?: boolean;
  optional?: boolean;
}

export interface Network {
  name: string;
  display_name: string;
  connect: 'oauth2' | 'app_password' | 'form' | string;
  capabilities: {
    media_kinds: string[] | null;
    threads: boolean;
    first_comment: boolean;
    idempotency: boolean;
    find_published: boolean;
    metrics: string[] | null;
    metrics_note?: string;
  };
  sandbox?: boolean;
  form?: FormField[];
  setup?: string;
  limits: { max_length: number; max_media: number };
}

export interface Problem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  start: number;
  end: number;
  field: string;
}

export interface CheckResult {
  network: string;
  length: number;
  limit: number;
  ok: boolean;
  problems: Problem[];
}

export interface Notification {
  id: number;
  kind: 'failed' | 'unconfirmed' | 'missed' | 'needs_reconnect' | 'token_expiring' | 'alarm' | string;
  post_id: number | null;
  target_id: number | null;
  channel_id: number | null;
  message: string;
  created_at: string;
  read_at: string | null;
}

export interface Comment {
  id: number;
  author_id: number;
  text: string;
  mentions: number[];
  created_at: string;
}

export interface AuditEvent {
  id: number;
  actor_id: number | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: number;
  summary: string;
  at: string;
}

export interface Snapshot {
  taken_at: string;
  likes: number | null;
  reposts: number | null;
  replies: number | null;
  quotes: number | null;
  impressions: number | null;
  clicks: number | null;
}

export interface Engagement {
  post_id: number;
  targets: { target_id: number; channel_id: number; history: Snapshot[]; latest?: Snapshot }[];
}

export interface RevisionContent {
  title: string;
  text: string;
  thread?: ThreadPart[];
  labels: string[];
  targets: { channel_id: number; text: string | null; first_comment: string | null; media: Media[] }[];
}

export interface Revision {
  revision: number;
  kind: 'submitted' | 'approved';
  author_id: number | null;
  created_at: string;
  content: RevisionContent;
}

/** The network rules the composer counts with (GET /api/v1/rules). */
export interface NetworkRules {
  network: string;
  name: string;
  counter: 'chars' | 'graphemes' | 'x_weighted' | 'mastodon';
  max_length: number;
  max_caption: number;
  max_bytes: number;
  max_hashtags: number;
  max_mentions: number;
  max_media: number;
  media_required: boolean;
  first_comment: boolean;
  max_first_comment: number;
  threads?: boolean;
  max_thread_parts?: number;
}

export interface RulesResponse {
  networks: NetworkRules[];
  tlds: string[];
}

/** window.HERALD, injected by the server at page load (frontend/embed.go). */
export interface HeraldConfig {
  version: string;
  public_url: string;
  demo: boolean;
  demo_accounts?: { email: string; name: string; role: Role }[];
  demo_password?: string;
  sandbox: boolean;
  networks: string[];
}

// ---- Brand voice (server/voice_views.go, voice/profile.go) ----

export type Severity = 'error' | 'warning' | 'info';

/** A range of a text in UTF-16 code units (JavaScript string indexes); start === end inserts. */
export interface Span {
  start: number;
  end: number;
  byte_start?: number;
  byte_end?: number;
}

export interface Finding {
  /** names the finding within a post's revision, for acknowledgements */
  id: string;
  rule: string;
  severity: Severity;
  /** "text", "targets[i].text" or "thread[i].text" */
  field: string;
  channel_ids: number[];
  span: Span;
  excerpt: string;
  message: string;
  fix?: { span: Span; replacement: string };
  acknowledged?: boolean;
  acknowledgement_note?: string;
  related_post_id?: number;
}

export interface VoiceCheck {
  findings: Finding[];
  score: number;
  language: string;
  detected_language: string;
  elapsed_us: number;
}

export interface VoiceAck {
  finding_id: string;
  rule: string;
  excerpt: string;
  note: string;
  user_id: number;
  at: string;
}

/** GET …/posts/{id}/voice: the voice review of a post's current revision. */
export interface PostVoice {
  post_id: number;
  revision: number;
  has_profile: boolean;
  score: number;
  language: string;
  findings: Finding[];
  acknowledgements: VoiceAck[];
  errors: number;
  unacknowledged: number;
}

export type TermKind = 'preferred' | 'brand' | 'banned' | 'sensitive';

export interface Term {
  kind: TermKind;
  use?: string;
  avoid?: string[];
  reason?: string;
  gender?: '' | 'm' | 'f';
}

export interface EmojiRules {
  mode: '' | 'none' | 'max';
  max: number;
  banned: string[];
}

export interface FormRules {
  max_sentence_words: number;
  min_reading_ease: number;
  max_exclamations: number | null;
  max_all_caps: number | null;
  acronyms: string[];
  address: '' | 'tu' | 'vous' | 'consistent';
}

export interface Disclaimer {
  any: string[];
  position: '' | 'start' | 'end';
}

export interface VoiceRules {
  language: string;
  terms: Term[];
  hashtags: { required: string[]; banned: string[]; max: Record<string, number>; position: '' | 'end' | 'inline'; camel_case: boolean; known: string[] };
  links: { allowed_domains: string[]; brand_domains: string[]; required_utm: string[]; utm_values: Record<string, string> };
  mentions: { allowed: string[]; banned: string[] };
  emoji: EmojiRules;
  form: FormRules;
  disclaimers: Disclaimer[];
}

/** Patch changes the rules for posts with a label or on a channel: lists add, set values replace. */
export interface VoicePatch {
  language?: string;
  terms?: Term[];
  required_hashtags?: string[];
  banned_hashtags?: string[];
  max_hashtags?: number;
  hashtag_position?: '' | 'end' | 'inline';
  allowed_domains?: string[];
  emoji?: EmojiRules;
  form?: FormRules;
  disclaimers?: Disclaimer[];
}

export interface VoiceProfile {
  description: string;
  audience: string;
  do: string[];
  dont: string[];
  rules: VoiceRules;
  labels: (VoicePatch & { label: string })[];
  channels: (VoicePatch & { channel_id: number })[];
  severities: Record<string, Severity>;
}

/** GET/PUT …/voice/profile */
export interface VoiceProfileView {
  profile: VoiceProfile;
  /** 0 until the profile is first saved; sent back with PUT */
  version: number;
  updated_at: string | null;
  rules: { id: string; default_severity: Severity }[];
  rewrite_available: boolean;
}

export interface RewriteResult {
  text: string;
  findings: Finding[];
  score: number;
  original_score: number;
  model: string;
}

// ---- The composing library ----

export interface Template {
  id: number;
  name: string;
  text: string;
  /** per network name */
  variants: Record<string, string>;
  labels: string[];
  variables: string[];
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface Snippet {
  id: number;
  code: string;
  text: string;
  variables: string[];
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface HashtagGroup {
  id: number;
  name: string;
  tags: string[];
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface ComposeResult {
  text: string;
  variables: string[];
  missing: string[];
  unknown_snippets: string[];
  labels: string[];
}

// ---- Approval depth ----

export interface ApprovalStep {
  name: string;
  role?: Role | '';
  members: number[];
  client: boolean;
  mode: 'any' | 'all';
  min_approvals: number;
}

/** A multi-step approval policy: the workspace's own (label "") or a label's extra steps. */
export interface StepPolicy {
  id: number;
  name: string;
  label: string;
  position: number;
  steps: ApprovalStep[];
  created_at: string;
  updated_at: string;
}

export interface ReviewSettings {
  approval_lead_minutes: number;
  reminder_minutes: number;
  duplicate_window_days: number;
  duplicate_similarity: number;
  conflict_window_minutes: number;
}

export interface ClientLink {
  id: number;
  name: string;
  locale: 'en' | 'fr';
  post_ids: number[];
  status: 'active' | 'revoked' | 'expired';
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  created_by: number;
  created_at: string;
  /** shown once, when the link is created */
  token?: string;
  url?: string;
}

/** GET /api/v1/config */
export interface ServerConfig {
  version: string;
  features: string[];
}
