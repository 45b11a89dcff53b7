package record

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	cases := []struct {
		header  string
		attempt int
		want    time.Duration
	}{
		{"3", 0, 3 * time.Second},
		{"0", 2, 0},
		{"", 0, time.Second},
		{"", 3, 8 * time.Second},
		{"junk", 1, 2 * time.Second},
		{"999999999", 0, maxRetryAfter},
		{"-5", 0, time.Second},
		{time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat), 0, 0},
	}
	for _, c := range cases {
		if got := retryAfter(c.header, c.attempt); got != c.want {
			t.Errorf("retryAfter(%q, %d) = %s, want %s", c.header, c.attempt, got, c.want)
		}
	}
}
