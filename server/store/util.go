package store

import "encoding/json"

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only called with plain structs of strings and numbers, which always encode.
		panic(err)
	}
	return string(b)
}
