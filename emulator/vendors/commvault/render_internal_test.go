package commvault

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator/kit"
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

// TestXMLLayoutIsEtrees: the answers' trees, laid out as they are
// written, are byte for byte what etree's indentation gives, whatever
// their shape and whatever their attributes hold.
func TestXMLLayoutIsEtrees(t *testing.T) {
	nasty := "a \"quoted\" <tag> & 'apostrophe'\nsecond line\ttab \u00e9\ufffd"
	trees := map[string]*etree.Element{
		"delete":  deleteResponse{Response: []deleteResult{{ErrorCode: 2, ErrorString: nasty}, {ErrorString: "ok"}}}.element(),
		"users":   usersResponse{}.element(),
		"generic": genericResponse{ErrorCode: 5, ErrorString: nasty}.element(),
	}
	deep := etree.NewElement("a")
	cur := deep
	for i := range 5 {
		cur.CreateAttr("level", string(rune('0'+i)))
		cur.CreateElement("sibling")
		cur = cur.CreateElement("b")
	}
	trees["deep"] = deep
	ns := etree.NewElement("x:root")
	ns.CreateElement("y:child").CreateAttr("z:attr", nasty)
	trees["namespaces"] = ns
	trees["alone"] = etree.NewElement("empty")
	for name, tree := range trees {
		if got, want := xmlDocument(tree.Copy()), etreeLaidOut(tree.Copy()); !bytes.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
	// Text among the elements takes etree's own path, and still lays out.
	text := etree.NewElement("t")
	text.CreateElement("c").SetText("words")
	if got, want := xmlDocument(text.Copy()), etreeLaidOut(text.Copy()); !bytes.Equal(got, want) || elementsOnly(text, 0) {
		t.Errorf("with text:\n%s\nwant\n%s", got, want)
	}
}

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
