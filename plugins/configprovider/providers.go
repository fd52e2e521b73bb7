package configprovider

import (
	"github.com/goconnect/goconnect/api/connect"
)

// Java class names of the built-in providers. Besides these fully qualified names,
// Java accepts each provider's simple class name (FileConfigProvider) and the
// simple name without its plugin-type suffix "ConfigProvider" (File, Directory,
// EnvVar), as for every plugin type (PluginUtils.prunedName); there is no
// lower-case alias such as "file": that is only the conventional provider *name*
// in config.providers=file.
const (
	FileClass      = "org.apache.kafka.common.config.provider.FileConfigProvider"
	DirectoryClass = "org.apache.kafka.common.config.provider.DirectoryConfigProvider"
	EnvVarClass    = "org.apache.kafka.common.config.provider.EnvVarConfigProvider"
)

// Parameter names (config.providers.<name>.param.<key>).
const (
	// AllowedPathsConfig is the File and Directory providers' comma-separated list
	// of absolute directories they may read under; unset allows every path.
	AllowedPathsConfig = "allowed.paths"
	// AllowlistPatternConfig is the EnvVar provider's Java regular expression that
	// an environment variable's whole name must match to be visible; default ".*".
	AllowlistPatternConfig = "allowlist.pattern"
)

// Providers is the explicit table of built-in config providers: Java class name to
// constructor. Aliases (simple and pruned names) are derived from the class name by
// the plugin registry, as for every other plugin kind; see the class constants.
func Providers() map[string]func() connect.ConfigProvider {
	return map[string]func() connect.ConfigProvider{
		FileClass:      func() connect.ConfigProvider { return &File{} },
		DirectoryClass: func() connect.ConfigProvider { return &Directory{} },
		EnvVarClass:    func() connect.ConfigProvider { return &EnvVar{} },
	}
}
