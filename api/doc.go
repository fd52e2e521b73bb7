// Package api is the root of what a connector author imports: connect (connectors,
// tasks, records, converters, transformations), data (the Connect data model) and
// config (configuration definitions). Everything under api/ uses only the standard
// library, so a plugin built against it carries none of goconnect's runtime.
package api
