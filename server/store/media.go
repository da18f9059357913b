package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"gorm.io/gorm"
)

// MediaChunkSize is the size of the pieces an upload is stored in: small enough for MySQL's
// default max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8) with room to spare.
const MediaChunkSize = 1 << 20

// ErrTooLarge is returned when an upload is larger than its limit.
var ErrTooLarge = errors.New("the file is too large")

// MediaFile is an uploaded attachment. Its bytes are in media_chunks; Token is the unguessable
// part of the URL it is served at without a session (networks such as Instagram fetch media by
// URL), so it is the only thing that grants access to the file.
type MediaFile struct {
	ID          int64
	WorkspaceID int64
	Token       string
	Kind        string // image, gif or video
	MIME        string
	FileName    string
	SizeBytes   int64
	Width       int
	Height      int
	SHA256      string `gorm:"column:sha256"`
	ChunkSize   int
	Chunks      int
	ThumbMIME   string
	Thumb       []byte
	CreatedBy   int64
	CreatedAt   time.Time
}

// TableName is "media" (GORM would say "media_files").
func (MediaFile) TableName() string { return "media" }

// MediaChunk is one piece of an upload.
type MediaChunk struct {
	MediaID     int64 `gorm:"primaryKey;autoIncrement:false"`
	Seq         int   `gorm:"primaryKey;autoIncrement:false"`
	WorkspaceID int64
	Data        []byte
}

// CreateMedia stores an upload: the row, then r's bytes in chunks of MediaChunkSize, at most max
// bytes (ErrTooLarge beyond), in one transaction, with its size and SHA-256 filled in.
func (s *Store) CreateMedia(ctx context.Context, m *MediaFile, r io.Reader, max int64, a Actor) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	m.CreatedAt = dbTime(m.CreatedAt)
	m.ChunkSize = MediaChunkSize
	tooLarge := false
	err := s.tx(ctx, func(db *gorm.DB) error {
		m.ID, m.SizeBytes, m.Chunks = 0, 0, 0
		if err := db.Omit("ID").Create(m).Error; err != nil {
			return err
		}
		h := sha256.New()
		buf := make([]byte, MediaChunkSize)
		for {
			n, err := io.ReadFull(r, buf)
			if n > 0 {
				m.SizeBytes += int64(n)
				if m.SizeBytes > max {
					tooLarge = true
					return ErrTooLarge
				}
				h.Write(buf[:n])
				if err := db.Create(&MediaChunk{MediaID: m.ID, Seq: m.Chunks, WorkspaceID: m.WorkspaceID, Data: buf[:n]}).Error; err != nil {
					return err
				}
				m.Chunks++
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		m.SHA256 = hex.EncodeToString(h.Sum(nil))
		if err := db.Model(&MediaFile{}).Where("id = ?", m.ID).
			Updates(map[string]any{"size_bytes": m.SizeBytes, "chunks": m.Chunks, "sha256": m.SHA256}).Error; err != nil {
			return err
		}
		return s.audit(db, m.WorkspaceID, a, "media.uploaded", "media", m.ID, fmt.Sprintf("%s (%s, %d bytes)", truncate(m.FileName, 200), m.MIME, m.SizeBytes))
	})
	if tooLarge {
		return ErrTooLarge
	}
	return err
}

// MediaByToken finds an upload by its token, in any workspace: the public media route has no
// workspace and no session, and the token alone is the credential (like an invitation's).
func (s *Store) MediaByToken(ctx context.Context, token string) (*MediaFile, error) {
	var m MediaFile
	err := s.db.WithContext(ctx).Omit("thumb").Where("token = ?", token).Take(&m).Error
	return &m, translate(err)
}

// MediaThumb returns an upload's thumbnail and its type (empty when it has none).
func (s *Store) MediaThumb(ctx context.Context, token string) ([]byte, string, error) {
	var m MediaFile
	err := s.db.WithContext(ctx).Select("thumb", "thumb_mime").Where("token = ?", token).Take(&m).Error
	return m.Thumb, m.ThumbMIME, translate(err)
}

// MediaChunkData returns one piece of an upload.
func (s *Store) MediaChunkData(ctx context.Context, m *MediaFile, seq int) ([]byte, error) {
	var c MediaChunk
	err := s.db.WithContext(ctx).Where("media_id = ? AND seq = ? AND workspace_id = ?", m.ID, seq, m.WorkspaceID).Take(&c).Error
	return c.Data, translate(err)
}

// MediaBytes returns a whole upload (the scheduler attaching it to a post).
func (s *Store) MediaBytes(ctx context.Context, m *MediaFile) ([]byte, error) {
	var chunks []MediaChunk
	if err := s.db.WithContext(ctx).Where("media_id = ? AND workspace_id = ?", m.ID, m.WorkspaceID).Order("seq").Find(&chunks).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]byte, 0, m.SizeBytes)
	for _, c := range chunks {
		out = append(out, c.Data...)
	}
	if int64(len(out)) != m.SizeBytes {
		return nil, fmt.Errorf("media %d: %d of %d bytes stored", m.ID, len(out), m.SizeBytes)
	}
	return out, nil
}

// MediaReader reads an upload's bytes chunk by chunk and can seek, so the HTTP layer can answer
// range requests (video players and some networks' fetchers use them) without loading it whole.
type MediaReader struct {
	ctx   context.Context
	s     *Store
	m     *MediaFile
	off   int64
	seq   int
	chunk []byte
}

// NewMediaReader returns a reader over m's bytes.
func (s *Store) NewMediaReader(ctx context.Context, m *MediaFile) *MediaReader {
	return &MediaReader{ctx: ctx, s: s, m: m, seq: -1}
}

// Read implements io.Reader.
func (r *MediaReader) Read(p []byte) (int, error) {
	if r.off >= r.m.SizeBytes {
		return 0, io.EOF
	}
	seq := int(r.off / int64(r.m.ChunkSize))
	if seq != r.seq {
		data, err := r.s.MediaChunkData(r.ctx, r.m, seq)
		if err != nil {
			return 0, err
		}
		r.seq, r.chunk = seq, data
	}
	start := int(r.off - int64(seq)*int64(r.m.ChunkSize))
	if start >= len(r.chunk) {
		return 0, io.ErrUnexpectedEOF
	}
	n := copy(p, r.chunk[start:])
	r.off += int64(n)
	return n, nil
}

// Seek implements io.Seeker.
func (r *MediaReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.m.SizeBytes + offset
	default:
		return 0, errors.New("media: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("media: negative position")
	}
	r.off = abs
	return abs, nil
}
