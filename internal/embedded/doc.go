// Package embedded is goconnect's batteries-included development mode (DESIGN.md §6):
// an in-process Kafka-compatible broker (franz-go's kfake, single node, data kept in a
// local folder so a restart keeps topics, records and committed offsets) next to a
// standalone worker with an example pipeline. It exists so that a newcomer with only
// Go installed has a working pipeline and a REST API on :8083 with one command. It is
// for development only: kfake is not Apache Kafka (no replication, its own on-disk
// format); point bootstrap.servers at a real cluster for anything else.
package embedded
