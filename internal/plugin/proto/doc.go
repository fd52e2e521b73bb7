// Package pluginpb holds the wire protocol between the goconnect worker and an
// external plugin process: plugin.proto and the code protoc generates from it.
// Only internal/plugin (the worker side) and pluginsdk (the plugin side) import
// it; conversions to and from api/ types live in internal/plugin/wire.
package pluginpb
