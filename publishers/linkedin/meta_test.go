package linkedin

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/content"
)

func TestMeta(t *testing.T) {
	m := New(Options{}).Meta()
	c := m.Capabilities
	if m.Name != Name || m.DisplayName != "LinkedIn" || m.Rules.Network != "linkedin" || !m.Rules.FirstComment ||
		!slices.Equal(c.MediaKinds, []content.MediaKind{content.KindImage, content.KindVideo}) ||
		c.Threads || !c.FirstComment || c.Idempotency || !c.FindPublished ||
		!slices.Equal(c.Metrics, []string{"impressions", "likes", "replies", "reposts", "clicks"}) || c.MetricsNote == "" {
		t.Errorf("meta %+v", m)
	}
}

// LinkedIn supports each monthly API version for a year, then answers 426. When this fails,
// LinkedIn is about to refuse (or already refuses) every call Herald makes: set DefaultVersion
// to a current version (https://learn.microsoft.com/en-us/linkedin/marketing/versioning) and
// check its changelog. The fake refuses sunset versions too, so the other tests fail with it.
func TestDefaultVersionIsStillSupported(t *testing.T) {
	v, err := time.Parse("200601", DefaultVersion)
	if err != nil {
		t.Fatalf("DefaultVersion %q is not YYYYMM", DefaultVersion)
	}
	if age := time.Since(v); age > 11*30*24*time.Hour {
		t.Errorf("DefaultVersion %s is %d days old; LinkedIn sunsets versions after 12 months: update it", DefaultVersion, int(age.Hours()/24))
	}
}
