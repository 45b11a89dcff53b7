package drift_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// htmlShowsEachPlant opens the report in Chromium, as a person would,
// and reads each planted difference off the page, filtered by vendor.
func htmlShowsEachPlant(t *testing.T, file string) {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium: CI opens the drift report in it (apt-get install -y chromium)")
		}
		t.Log("no Chromium on this machine: the report's page is not opened (CI opens it)")
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()
	if _, err := chromedp.Run(ctx, chromedp.Navigate("file://"+file)); err != nil {
		t.Fatal(err)
	}
	text := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	visible := `[...document.querySelectorAll('.step')].filter(s => !s.classList.contains('hidden')).map(s => s.innerText).join('\n')`
	all := text(visible)
	for _, want := range []string{"body.extra: missing", "@errorMessage: missing", "status: changed value: target 202, emulator 200",
		"body: order", "body.error.description: changed value", "body.status: changed type"} {
		if !strings.Contains(all, want) {
			t.Errorf("the page does not show %q:\n%.2000s", want, all)
		}
	}
	text(`(() => { const s = document.getElementById('vendor'); s.value = 'securid'; s.dispatchEvent(new Event('change')); return ''; })()`)
	only := text(visible)
	if !strings.Contains(only, "body.status: changed type") || strings.Contains(only, "body.extra") {
		t.Errorf("filtered to securid, the page shows:\n%.2000s", only)
	}
}
