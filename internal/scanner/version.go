package scanner

import "runtime/debug"

// ModuleVersion reads the version of the linked module at path from the
// binary's build information (a replacement's version when the module is
// replaced), falling back to fallback when it is not recorded (tests,
// development builds).
func ModuleVersion(path, fallback string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fallback
	}
	for _, d := range bi.Deps {
		if d.Path != path {
			continue
		}
		if d.Replace != nil && d.Replace.Version != "" {
			return d.Replace.Version
		}
		if d.Version != "" && d.Version != "(devel)" {
			return d.Version
		}
	}
	return fallback
}
