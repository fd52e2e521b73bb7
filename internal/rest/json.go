package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// readJSON reads a request body as a generic JSON value (numbers kept as written).
// An empty body is (nil, nil), as Jersey hands a null entity to the resource. A
// malformed body is a 500, because Java lets Jackson's exception reach its generic
// mapper.
func readJSON(r *http.Request) (any, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, errorf(http.StatusInternalServerError, "read request body: "+err.Error())
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf(http.StatusInternalServerError, jacksonMessage(err))
	}
	if dec.More() {
		return nil, errorf(http.StatusInternalServerError, "Unexpected trailing content after the JSON value")
	}
	return v, nil
}

func jacksonMessage(err error) string {
	msg := err.Error()
	if msg == "unexpected EOF" {
		return "Unexpected end-of-input: expected close marker"
	}
	return "Unexpected character: " + strings.TrimPrefix(msg, "invalid character ")
}

// stringMap converts a JSON object to a config map the way Jackson deserializes a
// Map<String,String>: strings as is, numbers as written, booleans as true/false; a
// null value is reported in nulls (Java keeps it and fails validation). A non-object
// value or a nested object/array is a 500, as in Java.
func stringMap(v any, what string) (m map[string]string, nulls []string, err error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, nil, errorf(http.StatusInternalServerError, fmt.Sprintf("Cannot deserialize value of type `java.util.Map<java.lang.String,java.lang.String>` from %s", jsonKind(v)))
	}
	m = make(map[string]string, len(obj))
	for k, e := range obj {
		if e == nil {
			nulls = append(nulls, k)
			continue
		}
		s, err := scalarString(e)
		if err != nil {
			return nil, nil, err
		}
		m[k] = s
	}
	return m, nulls, nil
}

// scalarString coerces a JSON scalar to a string as Jackson's StringDeserializer does.
func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", errorf(http.StatusInternalServerError, fmt.Sprintf("Cannot deserialize value of type `java.lang.String` from %s", jsonKind(v)))
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "Object value (token `JsonToken.START_OBJECT`)"
	case []any:
		return "Array value (token `JsonToken.START_ARRAY`)"
	case string:
		return "String value (token `JsonToken.VALUE_STRING`)"
	case json.Number:
		return "Number value (token `JsonToken.VALUE_NUMBER_INT`)"
	case bool:
		return "Boolean value (token `JsonToken.VALUE_TRUE`)"
	}
	return "Null value"
}

// writeJSON writes v with status and Java's Content-Type. HTML characters are not
// escaped, as Jackson does not escape them.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
}

// writeEmpty writes a status without body (and, as Java, without Content-Type).
func writeEmpty(w http.ResponseWriter, status int) {
	w.Header()["Content-Type"] = nil
	w.WriteHeader(status)
}
