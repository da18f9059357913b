package content

// asciiLabelLen returns the length of a host label in its ASCII (IDNA) form, as twitter-text
// computes it with punycode.toASCII: the label itself when it is ASCII, otherwise "xn--" and the
// RFC 3492 encoding. Only the length matters (a label may not exceed 63), so encoding stops
// early once the label is too long.
func asciiLabelLen(label string) int {
	ascii := true
	for i := 0; i < len(label); i++ {
		if label[i] > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		return len(label)
	}
	return len("xn--") + punycodeLen([]rune(label), 64)
}

// Punycode parameters (RFC 3492 section 5).
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// punycodeLen returns the length of the punycode encoding of input, or a value above max as
// soon as the encoding is known to exceed max.
func punycodeLen(input []rune, max int) int {
	out := 0
	for _, r := range input {
		if r < 0x80 {
			out++
		}
	}
	basic := out
	if basic > 0 {
		out++ // delimiter
	}
	n, bias := int64(pcInitialN), int64(pcInitialBias)
	var delta int64
	h := basic
	for h < len(input) {
		m := int64(0x7FFFFFFF)
		for _, r := range input {
			if c := int64(r); c >= n && c < m {
				m = c
			}
		}
		delta += (m - n) * int64(h+1)
		n = m
		for _, r := range input {
			c := int64(r)
			if c < n {
				delta++
			}
			if c != n {
				continue
			}
			q := delta
			for k := int64(pcBase); ; k += pcBase {
				t := k - bias
				if t < pcTMin {
					t = pcTMin
				} else if t > pcTMax {
					t = pcTMax
				}
				if q < t {
					break
				}
				out++
				q = (q - t) / (pcBase - t)
			}
			out++
			if out > max {
				return out
			}
			bias = punycodeAdapt(delta, int64(h+1), h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return out
}

// punycodeAdapt is the bias adaptation function of RFC 3492 section 6.1.
func punycodeAdapt(delta, numPoints int64, first bool) int64 {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := int64(0)
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
