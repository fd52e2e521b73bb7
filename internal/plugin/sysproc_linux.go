package plugin

import "syscall"

// sysProcAttr asks the kernel to SIGKILL the plugin when the worker dies, so a
// kill -9 of the worker leaves no orphans. Pdeathsig follows the OS thread that
// forked, not the process; the Go runtime does not retire threads of
// goroutines it did not lock, and the SDK's stdin watchdog covers the rest.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
