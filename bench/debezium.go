package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/goconnect/goconnect/test/harness"
)

// Java's contender for the database pipelines: Debezium's JDBC sink, from its
// plugin archive on Maven Central (io.debezium:debezium-connector-jdbc, classifier
// plugin, tar.gz). The archive holds the connector and everything it needs,
// PostgreSQL's and MariaDB's drivers included.
//
// This machine's Maven mirror serves 3.6.0.Final (archive and jar), 3.5.0.Final and
// 3.4.3.Final (jars), and refuses 3.7.1.Final, 3.6.3.Final, 3.6.1.Final,
// 3.3.2.Final and 2.7.4.Final (docs/benchmarks.md).
const debeziumVersion = "3.6.0.Final"

// fetchDebezium returns the plugin.path directory holding Debezium's JDBC sink,
// fetching and unpacking the archive into .cache once.
func fetchDebezium(ctx context.Context) (string, error) {
	root := harness.RepoRoot()
	dir := filepath.Join(root, ".cache", "debezium-connector-jdbc-"+debeziumVersion)
	marker := filepath.Join(dir, ".fetched")
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".debezium-fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	// scripts/kafka/pom.xml is only a project for the dependency plugin to run in.
	artifact := "io.debezium:debezium-connector-jdbc:" + debeziumVersion + ":tar.gz:plugin"
	mvn := exec.CommandContext(ctx, "mvn", "-B", "-q", "-f", filepath.Join(root, "scripts", "kafka", "pom.xml"),
		"dependency:copy", "-Dartifact="+artifact, "-DoutputDirectory="+tmp)
	if out, err := mvn.CombinedOutput(); err != nil {
		return "", fmt.Errorf("mvn dependency:copy %s: %w\n%s", artifact, err, lastLines(string(out), 10))
	}
	archives, _ := filepath.Glob(filepath.Join(tmp, "*.tar.gz"))
	if len(archives) != 1 {
		return "", fmt.Errorf("mvn dependency:copy %s: no archive in %s", artifact, tmp)
	}
	unpacked := filepath.Join(tmp, "plugins")
	if err := os.MkdirAll(unpacked, 0o755); err != nil {
		return "", err
	}
	if out, err := exec.CommandContext(ctx, "tar", "-xzf", archives[0], "-C", unpacked).CombinedOutput(); err != nil {
		return "", fmt.Errorf("unpack %s: %w\n%s", archives[0], err, out)
	}
	if _, err := os.Stat(filepath.Join(unpacked, "debezium-connector-jdbc", "debezium-connector-jdbc-"+debeziumVersion+".jar")); err != nil {
		return "", fmt.Errorf("unexpected layout of %s: %w", archives[0], err)
	}
	if err := os.WriteFile(filepath.Join(unpacked, ".fetched"), []byte(artifact+"\n"), 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(unpacked, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}
