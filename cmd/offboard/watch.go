package main

import (
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
)

// reloadDelay gathers the burst of events one save makes (editors write,
// rename and chmod) into one reload.
const reloadDelay = 150 * time.Millisecond

// watchScenarios reloads the scenario files among refs whenever one
// changes. A bad edit is logged with file:line and the old state stays.
// Directories are watched, not files, so editors that save by renaming
// are followed.
func watchScenarios(log *slog.Logger, em *emulator.Emulator, refs []string) (stop func(), err error) {
	files := map[string]bool{}
	dirs := map[string]bool{}
	for _, ref := range refs {
		if !scenarios.IsPath(ref) {
			continue
		}
		abs, err := filepath.Abs(ref)
		if err != nil {
			return nil, err
		}
		files[abs] = true
		dirs[filepath.Dir(abs)] = true
	}
	if len(files) == 0 {
		return nil, errors.New("no scenario file to watch: pass --scenario PATH")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	for d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, err
		}
	}
	var mu sync.Mutex
	var timer *time.Timer
	reload := func() {
		if err := em.LoadRefs(refs...); err != nil {
			log.Error("scenario reload failed; keeping the old state", "err", err)
			return
		}
		log.Info("scenario reloaded", "scenario", em.ScenarioName())
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if !files[filepath.Clean(ev.Name)] || ev.Op == fsnotify.Chmod {
					continue
				}
				mu.Lock()
				if timer != nil {
					timer.Stop()
				}
				timer = time.AfterFunc(reloadDelay, reload)
				mu.Unlock()
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				log.Warn("watching scenario files", "err", err)
			}
		}
	}()
	log.Info("watching scenario files", "files", len(files))
	return func() {
		w.Close()
		<-done
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
	}, nil
}
