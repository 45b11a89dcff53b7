package kit

import (
	"slices"
	"testing"
)

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		body, key string
		want      []string
	}{
		{`{"errorCode":0,"response":[{"errorCode" : 2,"errorString":"no"}]}`, "errorCode", []string{"0", "2"}},
		{`<App_GenericResp errorCode="2" errorString="x"/>`, "errorCode", []string{"2"}},
		{`<r><response errorCode="0"><entity/></response></r>`, "errorCode", []string{"0"}},
		{"{\n\"message\" : null,\n\"is_success\" : false\n}", `"is_success`, []string{"false"}},
		{`{"is_success":true}`, `"is_success`, []string{"true"}},
		{`{"nothing":1}`, "errorCode", nil},
		{`errorCode`, "errorCode", []string{""}},
		{`{"errorCode":"`, "errorCode", []string{""}},
	} {
		var got []string
		for v := range Values([]byte(tc.body), tc.key) {
			got = append(got, string(v))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Values(%q, %q) = %q, want %q", tc.body, tc.key, got, tc.want)
		}
	}
}

func FuzzValues(f *testing.F) {
	f.Add([]byte(`{"errorCode":0}`), "errorCode")
	f.Add([]byte(`<a errorCode="2"/>`), "errorCode")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		if key == "" {
			return
		}
		for range Values(body, key) {
		}
		_ = Field(DecodeJSON(body), "a", 0, "b")
	})
}
