// Package kafka builds franz-go clients from Java Kafka client properties, and derives
// the client properties Kafka Connect gives to connector clients (reference §5.1):
// the source task producer, the sink task consumer and the admin client.
//
// Property names and values are Java's (bootstrap.servers, acks, linger.ms,
// security.protocol, sasl.jaas.config, ...). Keys franz-go has no equivalent for are
// ignored with a debug log; values that cannot be honoured (a JKS truststore, the
// GSSAPI mechanism) are errors, so a misconfigured client fails at start rather than
// connecting with weaker settings than asked for.
package kafka
