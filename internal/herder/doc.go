// Package herder defines what a herder does for the REST API: the Herder interface
// that the standalone and distributed herders implement, the REST entities (with
// Kafka Connect's JSON field names), the error kinds the REST layer maps to status
// codes, and connector-config validation (the ConfigInfos of
// /connector-plugins/{p}/config/validate), which is the same in every mode.
package herder
