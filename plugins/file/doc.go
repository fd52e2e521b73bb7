// Package file is Apache Kafka's FileStream example connectors
// (org.apache.kafka.connect.file): FileStreamSource reads the lines of a file (or
// standard input) into a topic, FileStreamSink writes record values to a file (or
// standard output), one per line.
//
// It is written against api/ only, exactly as a third-party connector would be, and
// follows Java Kafka Connect 4.3.1 key for key and message for message: the same
// config definitions (docs, importance, defaults), the same source partitions and
// offsets ({"filename": f} → {"position": n}), the same line splitting (\n, \r\n and
// a lone \r end a line; a trailing \r waits for the next byte to tell \r from \r\n)
// and the same output bytes (each value rendered as Java's String.valueOf, see
// data.JavaString).
//
// Where goconnect deliberately differs from Java, it does so behind the same surface:
//
//   - position counts bytes. Java advances it by UTF-16 chars but resumes by skipping
//     bytes, so it resumes in the wrong place once a line holds a non-ASCII character;
//     for ASCII files both agree byte for byte, and offsets written by Java Connect
//     are read as they are.
//   - lines left in the read buffer when a poll stops at batch.size are returned by
//     the next poll; Java only looks at them again once more data is appended.
//   - the 1 s idle wait (file missing, no new data) ends as soon as the task is
//     stopped, and stdin data is returned as soon as it arrives.
//   - the sink writes each Put batch to the file with one write and, on Flush, also
//     fsyncs it: Java only hands the bytes to the OS, so a machine crash could lose
//     lines whose consumer offsets were already committed.
package file
