//go:build !linux

package plugin

import "syscall"

// sysProcAttr: without Pdeathsig, the SDK's stdin watchdog alone makes the
// plugin exit when the worker dies.
func sysProcAttr() *syscall.SysProcAttr { return nil }
