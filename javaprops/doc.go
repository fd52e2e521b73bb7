// Package javaprops reads Java .properties files the way java.util.Properties.load
// does, because worker and connector configuration files are shared with Java Kafka
// Connect and must mean the same thing to both: '#' and '!' comment lines,
// '=' / ':' / whitespace key separators, backslash line continuation, \uXXXX and
// the other escapes, and leading whitespace ignored.
//
// One deliberate difference: Properties.load(InputStream) decodes bytes as
// ISO-8859-1, which turns UTF-8 text such as "é" into "Ã©". Files are decoded as
// UTF-8 when they are valid UTF-8 and as ISO-8859-1 otherwise, so files written by
// either convention read as their author meant.
package javaprops
