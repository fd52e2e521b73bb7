// Package counting is an example external connector pair, written against
// api/connect exactly as a built-in would be: CountingSource emits numbered
// records (a struct value with a Timestamp, Decimal and map field, so the
// plugin boundary is exercised with real schemas), and FileSink appends the
// records it receives to a file.
//
// cmd/counting-plugin serves both through pluginsdk; the tests of
// internal/plugin build it into a plugin.path folder. The package itself is
// importable, so benchmarks can run the same connector in-process and
// out-of-process and compare.
package counting
