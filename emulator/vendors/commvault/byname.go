package commvault

import (
	"errors"
	"strings"
)

// byName parses byName(key='value'), the form the API takes in place of an
// id. ok is false when raw does not use the form at all. Inside the quotes
// a quote is written twice, as in SQL ('O”Brien').
func byName(raw, key string) (name string, ok bool, err error) {
	open := "byname(" + strings.ToLower(key) + "="
	if len(raw) < len(open) || !strings.EqualFold(raw[:len(open)], open) {
		if strings.HasPrefix(strings.ToLower(raw), "byname(") {
			return "", true, errors.New("expected byName(" + key + "='...')")
		}
		return "", false, nil
	}
	rest := raw[len(open):]
	if len(rest) < 3 || rest[0] != '\'' || !strings.HasSuffix(rest, "')") {
		return "", true, errors.New("the name must be in single quotes and the form must end with ')")
	}
	inner := rest[1 : len(rest)-2]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\'' {
			if i+1 < len(inner) && inner[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return "", true, errors.New("a quote inside the name must be doubled")
		}
		b.WriteByte(inner[i])
	}
	return b.String(), true, nil
}
