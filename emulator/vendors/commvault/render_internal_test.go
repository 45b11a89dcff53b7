package commvault

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/xmlschema"
	"github.com/offboard/offboard/specs"
)

// etreeLaidOut is the layout xmlDocument gives, made the long way: etree's
// own two-space indentation, then written through the prefixer.
func etreeLaidOut(root *etree.Element) []byte {
	var buf bytes.Buffer
	buf.WriteString(xmlDeclaration)
	root.IndentWithSettings(&etree.IndentSettings{Spaces: 2})
	root.WriteTo(&prefixer{w: &buf}, &etree.WriteSettings{})
	return bytes.TrimRight(buf.Bytes(), "\n ")
}

// TestXMLLayoutIsEtrees: every answer, written element by element, is
// byte for byte what etree gives for the same tree after its two-space
// indentation, whatever its shape and whatever its attributes hold.
func TestXMLLayoutIsEtrees(t *testing.T) {
	nasty := "a \"quoted\" <tag> & 'apostrophe'\nsecond line\ttab \u00e9\ufffd\x01"
	answers := map[string]xmlBody{}
	for name, a := range answerSamples(nasty) {
		answers[name] = a.body
	}
	for name, v := range map[string]xmlBody{
		"deep": writeFunc(func(w *xmlWriter) {
			tags := []string{"a", "b", "c", "d", "e"}
			for i, tag := range tags {
				w.start(tag, "level", string(rune('0'+i)))
				w.leaf("sibling")
			}
			for i := range tags {
				w.end(tags[len(tags)-1-i])
			}
		}),
		"namespaces": writeFunc(func(w *xmlWriter) {
			w.start("x:root")
			w.leaf("y:child", "z:attr", nasty)
			w.end("x:root")
		}),
		"alone": writeFunc(func(w *xmlWriter) { w.leaf("empty") }),
	} {
		answers[name] = v
	}
	for name, v := range answers {
		ref := &xmlWriter{reference: true}
		v.writeXML(ref)
		if got, want := xmlDocument(v), etreeLaidOut(ref.root); !bytes.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
}

// answerSample is an answer of every Commvault XML form, with the spec
// schema its XML must fit.
type answerSample struct {
	body   xmlBody
	schema string
}

// answerSamples has every answer type with every optional part present,
// text holding whatever a client sent.
func answerSamples(text string) map[string]answerSample {
	owned := ownedEntities{Alerts: []string{text, "b"}, SchedulePolicies: []string{"p"}, Workflows: []string{"w"}}
	return map[string]answerSample{
		"delete": {deleteResponse{Response: []deleteResult{{ErrorCode: 2, ErrorString: text},
			{ErrorString: "ok", Entity: &entity{UserID: 1234}}}}, "XmlDeleteUserResponse"},
		"user": {userResponse{Response: []deleteResult{{ErrorString: text, Entity: &entity{UserID: 7, UserName: text}}}}, "XmlGenericResponse"},
		"users": {usersResponse{Users: []userInfo{
			{Entity: entity{UserID: 5, UserName: "u", UserGUID: "g"}, Email: text, EnableUser: true, IsAccountLocked: true,
				Groups: []groupRef{{ID: 1, Name: text}, {ID: 2, Name: "g2"}}, Owned: owned},
			{Entity: entity{UserID: 6}},
		}}, "XmlUserProperties"},
		"no users": {usersResponse{}, "XmlUserProperties"},
		"groups": {groupsResponse{Groups: []groupInfo{{Description: text, Users: []entity{{UserID: 3, UserName: text}}, Owned: owned}, {}}},
			"XmlUserGroups"},
		"login":         {loginResponse{AliasName: text, LoginAttempts: 3, Token: "QSDK x", IsAccountLocked: true}, "XmlCheckCredentialResp"},
		"login failure": {loginFailure{ErrList: []loginError{{Message: text, Code: 5}, {Message: "m"}}}, "XmlCheckCredentialResp"},
		"generic":       {genericResponse{ErrorCode: 5, ErrorString: text}, "XmlGenericResp"},
		"who am i":      {whoAmIResponse{User: entity{UserID: 1, UserName: text, UserGUID: "g"}}, "XmlWhoAmI"},
		"renew":         {renewResponse{Token: text}, "XmlCheckCredentialResp"},
		"renew failure": {renewFailure{Error: loginError{Message: text, Code: 5}}, "XmlCheckCredentialResp"},
	}
}

// TestEveryXMLAnswerFitsItsSchema: each answer's XML form, every optional
// part present, is what the spec's XML schema for it allows (a locked
// user's isAccountLocked was missing from it).
func TestEveryXMLAnswerFitsItsSchema(t *testing.T) {
	doc, err := specs.Load("commvault")
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range answerSamples("words & <marks>") {
		ref := doc.Components.Schemas[a.schema]
		if ref == nil {
			t.Fatalf("%s: no schema %s", name, a.schema)
		}
		if err := xmlschema.Check(xmlDocument(a.body), ref.Value); err != nil {
			t.Errorf("%s against %s: %v\n%s", name, a.schema, err, xmlDocument(a.body))
		}
	}
}

// writeFunc writes any shape of elements.
type writeFunc func(w *xmlWriter)

func (f writeFunc) writeXML(w *xmlWriter) { f(w) }

// TestWantsJSON: Accept picks JSON only when JSON is the best-quality
// type asked for; one type without parameters (what clients send) is read
// without mime's parameter map, with the same verdicts.
func TestWantsJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "application/json": true, " Application/JSON ": true, "application/xml": false, "*/*": false,
		"text/html": false, "application/vnd.api+json": true, "application/json garbage": false, "application/": false,
		"application/json;q=0": false, "application/xml;q=0.5, application/json": true, "application/json;q=0.4,text/xml": false,
		"application/json, application/xml": true, "application/xml, application/json": false,
	} {
		r := &kit.Request{Header: http.Header{}}
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := wantsJSON(r); got != want {
			t.Errorf("Accept %q: JSON %v, want %v", accept, got, want)
		}
	}
}

// FuzzXMLLayoutIsEtrees: whatever a client puts in a name or a message,
// the streamed answer is etree's layout of the same tree, and it parses.
func FuzzXMLLayoutIsEtrees(f *testing.F) {
	for _, s := range []string{"", "ok", "a \"q\" <t> & 'a'\nline\ttab", "\x00\x01\ufffe\xff", "]]>", "&amp;", "é\u2028"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, name, msg string) {
		answers := []xmlBody{
			deleteResponse{Response: []deleteResult{{ErrorCode: 2, ErrorString: msg, Entity: &entity{UserID: 9}}}},
			usersResponse{Users: []userInfo{{Entity: entity{UserName: name}, Description: msg,
				Groups: []groupRef{{Name: name}}, Owned: ownedEntities{Workflows: []string{msg}}}}},
			loginFailure{ErrList: []loginError{{Message: msg}}},
		}
		for _, v := range answers {
			ref := &xmlWriter{reference: true}
			v.writeXML(ref)
			got := xmlDocument(v)
			if want := etreeLaidOut(ref.root); !bytes.Equal(got, want) {
				t.Fatalf("%T:\n%q\nwant\n%q", v, got, want)
			}
			if err := etree.NewDocument().ReadFromBytes(got); err != nil {
				t.Fatalf("%T does not parse: %v\n%q", v, err, got)
			}
		}
	})
}
