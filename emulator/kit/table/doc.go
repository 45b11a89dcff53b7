// Package table holds what a vendor keeps its state in: Table, a
// copy-on-write map that sessions share, and the change recording that
// tells what one request (or a session since its load) changed in the
// tables of a state. A vendor may use it; the engine reads its changes.
package table
