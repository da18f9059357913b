package voice

// Similarity says how alike two texts are, from 0 (nothing in common) to 1 (the same words in
// the same order), for the duplicate check at submit. It compares the sets of adjacent word
// pairs of the folded texts (Jaccard index), so case, accents, punctuation, emoji and spacing do
// not count, a reworded sentence counts a little, and the same words in another order count
// less than the same text. Texts of one word compare their words.
func Similarity(a, b string) float64 {
	sa, sb := shingles(a), shingles(b)
	if len(sa) == 0 && len(sb) == 0 {
		return 1
	}
	inter := 0
	for k := range sa {
		if sb[k] {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

func shingles(text string) map[string]bool {
	var words []string
	for _, t := range tokenize(text, nil) {
		words = append(words, t.fold)
	}
	out := map[string]bool{}
	if len(words) == 1 {
		out[words[0]] = true
		return out
	}
	for i := 0; i+1 < len(words); i++ {
		out[words[i]+" "+words[i+1]] = true
	}
	return out
}
